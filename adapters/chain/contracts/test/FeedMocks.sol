// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {IAggregatorV3, IUniswapV3PoolObserve} from "../src/Feeds.sol";

/// A Chainlink feed for tests: set() starts a new round.
contract MockAggregator is IAggregatorV3 {
    uint8 public immutable decimals;
    uint80 private round;
    int256 private answer;
    uint256 private updatedAt;

    constructor(uint8 decimals_) {
        decimals = decimals_;
    }

    function set(int256 answer_, uint256 updatedAt_) external {
        round++;
        answer = answer_;
        updatedAt = updatedAt_;
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (round, answer, updatedAt, updatedAt, round);
    }
}

/// A Uniswap v3 pool for tests whose tick has been constant since its
/// deployment: tickCumulative(t) = tick * (t - start).
contract MockPool is IUniswapV3PoolObserve {
    int24 public immutable tick;
    uint256 public immutable start;

    constructor(int24 tick_) {
        tick = tick_;
        start = block.timestamp;
    }

    function observe(uint32[] calldata secondsAgos) external view returns (int56[] memory c, uint160[] memory l) {
        c = new int56[](secondsAgos.length);
        l = new uint160[](secondsAgos.length);
        for (uint256 i = 0; i < secondsAgos.length; i++) {
            c[i] = int56(tick) * int56(int256(block.timestamp - start)) - int56(tick) * int56(uint56(secondsAgos[i]));
        }
    }
}
