// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

/// Minimal ERC-20 surface the vault uses.
interface IERC20 {
    function balanceOf(address account) external view returns (uint256);
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

/// @title CooperaVault holds the tokens bridged to a coopera ledger.
/// @notice deposit() takes tokens and emits Deposited with a nonce that
/// counts every deposit from 1; the ledger credits each nonce once. Only
/// the CooperaBridge that deployed the vault releases tokens, after it has
/// checked a withdrawal's Merkle proof.
contract CooperaVault {
    /// The bridge contract that deployed this vault: the only releaser.
    address public immutable bridge;
    /// The number of deposits so far; the last deposit's nonce.
    uint64 public depositCount;
    uint256 private locked = 1;

    /// @param nonce the deposit's number, from 1: the ledger's idempotency key
    /// @param to    the ledger account to credit
    /// @param amount the token base units the vault received
    event Deposited(uint64 indexed nonce, address indexed token, address indexed from, string to, uint256 amount);

    error ZeroAmount();
    error AmountTooLarge();
    error BadAccount();
    error NotBridge();
    error TransferFailed();
    error Reentered();

    constructor() {
        bridge = msg.sender;
    }

    modifier nonReentrant() {
        if (locked != 1) revert Reentered();
        locked = 2;
        _;
        locked = 1;
    }

    /// Deposits amount of token for ledger account `to`. The vault credits
    /// what it received (a token that takes a fee on transfer is credited
    /// net); the ledger keeps amounts in 128 bits.
    function deposit(address token, uint256 amount, string calldata to) external nonReentrant returns (uint64 nonce) {
        if (amount == 0) revert ZeroAmount();
        if (bytes(to).length == 0 || bytes(to).length > 64) revert BadAccount();
        uint256 before = IERC20(token).balanceOf(address(this));
        if (!IERC20(token).transferFrom(msg.sender, address(this), amount)) revert TransferFailed();
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received == 0) revert ZeroAmount();
        if (received > type(uint128).max) revert AmountTooLarge();
        nonce = ++depositCount;
        emit Deposited(nonce, token, msg.sender, to, received);
    }

    /// Releases tokens for a proven withdrawal; the bridge only.
    function release(address token, address to, uint256 amount) external nonReentrant {
        if (msg.sender != bridge) revert NotBridge();
        if (!IERC20(token).transfer(to, amount)) revert TransferFailed();
    }
}
