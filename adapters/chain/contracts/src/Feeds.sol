// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

/// The part of Chainlink's AggregatorV3Interface that the price feeds read.
interface IAggregatorV3 {
    function decimals() external view returns (uint8);
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}

/// The part of a Uniswap v3 pool that a TWAP reads.
interface IUniswapV3PoolObserve {
    function observe(uint32[] calldata secondsAgos)
        external
        view
        returns (int56[] memory tickCumulatives, uint160[] memory secondsPerLiquidityCumulativeX128s);
}
