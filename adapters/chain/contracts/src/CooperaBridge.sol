// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {CooperaVault} from "./CooperaVault.sol";

/// @title CooperaBridge keeps the coopera ledger's anchors and releases
/// withdrawals proven against them.
/// @notice An anchor is (ledger height, that block's hash, its state root,
/// the withdrawals root the block sealed), posted by the anchorer in the
/// ledger's anchor order (index 1, 2, ...). A withdrawal is released once,
/// by its ledger nonce, with a Merkle proof that its leaf
///   keccak256(keccak256(abi.encode(chainid, vault, nonce, recipient, token, amount)))
/// is under the anchor's withdrawals root, hashing sorted pairs.
contract CooperaBridge {
    struct Anchor {
        uint64 height;
        bytes32 blockHash;
        bytes32 stateRoot;
        bytes32 withdrawalsRoot;
    }

    /// The vault this bridge deployed and releases from.
    CooperaVault public immutable vault;
    /// The key allowed to post anchors.
    address public immutable anchorer;
    /// The number of anchors posted; the last one's index.
    uint64 public anchorCount;
    mapping(uint64 => Anchor) public anchors;
    /// Released withdrawals, by ledger withdrawal nonce.
    mapping(uint64 => bool) public released;

    event Anchored(uint64 indexed index, uint64 height, bytes32 blockHash, bytes32 stateRoot, bytes32 withdrawalsRoot);
    event Released(uint64 indexed nonce, address indexed recipient, address indexed token, uint256 amount, uint64 anchor);

    error NotAnchorer();
    error WrongIndex(uint64 want);
    error HeightNotAfter(uint64 last);
    error NoAnchor(uint64 index);
    error AlreadyReleased(uint64 nonce);
    error BadProof();

    constructor(address anchorer_) {
        anchorer = anchorer_;
        vault = new CooperaVault();
    }

    /// Posts the ledger's anchor number `index`.
    function postAnchor(uint64 index, uint64 height, bytes32 blockHash, bytes32 stateRoot, bytes32 withdrawalsRoot) external {
        if (msg.sender != anchorer) revert NotAnchorer();
        if (index != anchorCount + 1) revert WrongIndex(anchorCount + 1);
        if (index > 1 && height <= anchors[index - 1].height) revert HeightNotAfter(anchors[index - 1].height);
        anchors[index] = Anchor(height, blockHash, stateRoot, withdrawalsRoot);
        anchorCount = index;
        emit Anchored(index, height, blockHash, stateRoot, withdrawalsRoot);
    }

    /// The withdrawal leaf the ledger computes (bridge.WithdrawalLeaf).
    function leaf(uint64 nonce, address recipient, address token, uint256 amount) public view returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(block.chainid, address(vault), uint256(nonce), recipient, token, amount))));
    }

    /// Releases withdrawal `nonce` from the vault to `recipient`, once.
    /// Anyone may call it: the tokens go to the recipient the proof names.
    function withdraw(uint64 anchorIndex, uint64 nonce, address recipient, address token, uint256 amount, bytes32[] calldata proof) external {
        if (released[nonce]) revert AlreadyReleased(nonce);
        Anchor storage a = anchors[anchorIndex];
        if (a.height == 0) revert NoAnchor(anchorIndex);
        bytes32 h = leaf(nonce, recipient, token, amount);
        for (uint256 i = 0; i < proof.length; i++) {
            bytes32 p = proof[i];
            h = h < p ? keccak256(abi.encode(h, p)) : keccak256(abi.encode(p, h));
        }
        if (h != a.withdrawalsRoot) revert BadProof();
        released[nonce] = true;
        vault.release(token, recipient, amount);
        emit Released(nonce, recipient, token, amount, anchorIndex);
    }
}
