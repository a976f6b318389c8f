// Code generated via abigen V2 - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package bindings

import (
	"bytes"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = bytes.Equal
	_ = errors.New
	_ = big.NewInt
	_ = common.Big1
	_ = types.BloomLookup
	_ = abi.ConvertType
)

// CooperaVaultMetaData contains all meta data concerning the CooperaVault contract.
var CooperaVaultMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[],\"name\":\"AmountTooLarge\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"BadAccount\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"NotBridge\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"Reentered\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"TransferFailed\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroAmount\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"nonce\",\"type\":\"uint64\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"token\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"from\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"string\",\"name\":\"to\",\"type\":\"string\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"Deposited\",\"type\":\"event\"},{\"inputs\":[],\"name\":\"bridge\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"\",\"type\":\"address\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"token\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"},{\"internalType\":\"string\",\"name\":\"to\",\"type\":\"string\"}],\"name\":\"deposit\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"nonce\",\"type\":\"uint64\"}],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"depositCount\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"token\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"release\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"}]",
	ID:  "CooperaVault",
	Bin: "0x60a0604052600180553480156012575f5ffd5b503360805260805161067e6100355f395f818160ac0152610119015261067e5ff3fe608060405234801561000f575f5ffd5b506004361061004a575f3560e01c80632dfdf0b51461004e5780638bfb07c91461007f578063bfe07da614610094578063e78cea92146100a7575b5f5ffd5b5f546100619067ffffffffffffffff1681565b60405167ffffffffffffffff90911681526020015b60405180910390f35b61009261008d3660046104e7565b6100e6565b005b6100616100a2366004610521565b6101ed565b6100ce7f000000000000000000000000000000000000000000000000000000000000000081565b6040516001600160a01b039091168152602001610076565b6001546001146101095760405163b5dfd9e560e01b815260040160405180910390fd5b6002600155336001600160a01b037f0000000000000000000000000000000000000000000000000000000000000000161461015757604051637fea9dc560e01b815260040160405180910390fd5b60405163a9059cbb60e01b81526001600160a01b0383811660048301526024820183905284169063a9059cbb906044016020604051808303815f875af11580156101a3573d5f5f3e3d5ffd5b505050506040513d601f19601f820116820180604052508101906101c791906105a4565b6101e4576040516312171d8360e31b815260040160405180910390fd5b50506001805550565b5f6001546001146102115760405163b5dfd9e560e01b815260040160405180910390fd5b60026001555f84900361023757604051631f2a200560e01b815260040160405180910390fd5b8115806102445750604082115b1561026257604051631c2b077760e01b815260040160405180910390fd5b6040516370a0823160e01b81523060048201525f906001600160a01b038716906370a0823190602401602060405180830381865afa1580156102a6573d5f5f3e3d5ffd5b505050506040513d601f19601f820116820180604052508101906102ca91906105ca565b6040516323b872dd60e01b8152336004820152306024820152604481018790529091506001600160a01b038716906323b872dd906064016020604051808303815f875af115801561031d573d5f5f3e3d5ffd5b505050506040513d601f19601f8201168201806040525081019061034191906105a4565b61035e576040516312171d8360e31b815260040160405180910390fd5b6040516370a0823160e01b81523060048201525f9082906001600160a01b038916906370a0823190602401602060405180830381865afa1580156103a4573d5f5f3e3d5ffd5b505050506040513d601f19601f820116820180604052508101906103c891906105ca565b6103d291906105f5565b9050805f036103f457604051631f2a200560e01b815260040160405180910390fd5b6fffffffffffffffffffffffffffffffff81111561042557604051630625040160e01b815260040160405180910390fd5b5f8054819061043d9067ffffffffffffffff1661060e565b91906101000a81548167ffffffffffffffff021916908367ffffffffffffffff16021790559250336001600160a01b0316876001600160a01b03168467ffffffffffffffff167fa86f965b31e40e16e167263c0e72f3e555a8cd3fc14f23ea4e38e2ef914727238888866040516104b69392919061063a565b60405180910390a4505060018055949350505050565b80356001600160a01b03811681146104e2575f5ffd5b919050565b5f5f5f606084860312156104f9575f5ffd5b610502846104cc565b9250610510602085016104cc565b929592945050506040919091013590565b5f5f5f5f60608587031215610534575f5ffd5b61053d856104cc565b935060208501359250604085013567ffffffffffffffff81111561055f575f5ffd5b8501601f8101871361056f575f5ffd5b803567ffffffffffffffff811115610585575f5ffd5b876020828401011115610596575f5ffd5b949793965060200194505050565b5f602082840312156105b4575f5ffd5b815180151581146105c3575f5ffd5b9392505050565b5f602082840312156105da575f5ffd5b5051919050565b634e487b7160e01b5f52601160045260245ffd5b81810381811115610608576106086105e1565b92915050565b5f67ffffffffffffffff821667ffffffffffffffff8103610631576106316105e1565b60010192915050565b60408152826040820152828460608301375f606084830101525f6060601f19601f860116830101905082602083015294935050505056fea164736f6c6343000825000a",
}

// CooperaVault is an auto generated Go binding around an Ethereum contract.
type CooperaVault struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *CooperaVault) GetABI() abi.ABI {
	return c.abi
}

// NewCooperaVault creates a new instance of CooperaVault.
func NewCooperaVault() *CooperaVault {
	parsed, err := CooperaVaultMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &CooperaVault{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *CooperaVault) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackBridge is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe78cea92.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function bridge() view returns(address)
func (cooperaVault *CooperaVault) PackBridge() []byte {
	enc, err := cooperaVault.abi.Pack("bridge")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackBridge is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe78cea92.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function bridge() view returns(address)
func (cooperaVault *CooperaVault) TryPackBridge() ([]byte, error) {
	return cooperaVault.abi.Pack("bridge")
}

// UnpackBridge is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xe78cea92.
//
// Solidity: function bridge() view returns(address)
func (cooperaVault *CooperaVault) UnpackBridge(data []byte) (common.Address, error) {
	out, err := cooperaVault.abi.Unpack("bridge", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// PackDeposit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xbfe07da6.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function deposit(address token, uint256 amount, string to) returns(uint64 nonce)
func (cooperaVault *CooperaVault) PackDeposit(token common.Address, amount *big.Int, to string) []byte {
	enc, err := cooperaVault.abi.Pack("deposit", token, amount, to)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDeposit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xbfe07da6.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function deposit(address token, uint256 amount, string to) returns(uint64 nonce)
func (cooperaVault *CooperaVault) TryPackDeposit(token common.Address, amount *big.Int, to string) ([]byte, error) {
	return cooperaVault.abi.Pack("deposit", token, amount, to)
}

// UnpackDeposit is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xbfe07da6.
//
// Solidity: function deposit(address token, uint256 amount, string to) returns(uint64 nonce)
func (cooperaVault *CooperaVault) UnpackDeposit(data []byte) (uint64, error) {
	out, err := cooperaVault.abi.Unpack("deposit", data)
	if err != nil {
		return *new(uint64), err
	}
	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)
	return out0, nil
}

// PackDepositCount is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2dfdf0b5.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function depositCount() view returns(uint64)
func (cooperaVault *CooperaVault) PackDepositCount() []byte {
	enc, err := cooperaVault.abi.Pack("depositCount")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDepositCount is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2dfdf0b5.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function depositCount() view returns(uint64)
func (cooperaVault *CooperaVault) TryPackDepositCount() ([]byte, error) {
	return cooperaVault.abi.Pack("depositCount")
}

// UnpackDepositCount is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x2dfdf0b5.
//
// Solidity: function depositCount() view returns(uint64)
func (cooperaVault *CooperaVault) UnpackDepositCount(data []byte) (uint64, error) {
	out, err := cooperaVault.abi.Unpack("depositCount", data)
	if err != nil {
		return *new(uint64), err
	}
	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)
	return out0, nil
}

// PackRelease is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8bfb07c9.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function release(address token, address to, uint256 amount) returns()
func (cooperaVault *CooperaVault) PackRelease(token common.Address, to common.Address, amount *big.Int) []byte {
	enc, err := cooperaVault.abi.Pack("release", token, to, amount)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRelease is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8bfb07c9.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function release(address token, address to, uint256 amount) returns()
func (cooperaVault *CooperaVault) TryPackRelease(token common.Address, to common.Address, amount *big.Int) ([]byte, error) {
	return cooperaVault.abi.Pack("release", token, to, amount)
}

// CooperaVaultDeposited represents a Deposited event raised by the CooperaVault contract.
type CooperaVaultDeposited struct {
	Nonce  uint64
	Token  common.Address
	From   common.Address
	To     string
	Amount *big.Int
	Raw    *types.Log // Blockchain specific contextual infos
}

const CooperaVaultDepositedEventName = "Deposited"

// ContractEventName returns the user-defined event name.
func (CooperaVaultDeposited) ContractEventName() string {
	return CooperaVaultDepositedEventName
}

// UnpackDepositedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Deposited(uint64 indexed nonce, address indexed token, address indexed from, string to, uint256 amount)
func (cooperaVault *CooperaVault) UnpackDepositedEvent(log *types.Log) (*CooperaVaultDeposited, error) {
	event := "Deposited"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != cooperaVault.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(CooperaVaultDeposited)
	if len(log.Data) > 0 {
		if err := cooperaVault.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range cooperaVault.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// UnpackError attempts to decode the provided error data using user-defined
// error definitions.
func (cooperaVault *CooperaVault) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], cooperaVault.abi.Errors["AmountTooLarge"].ID.Bytes()[:4]) {
		return cooperaVault.UnpackAmountTooLargeError(raw[4:])
	}
	if bytes.Equal(raw[:4], cooperaVault.abi.Errors["BadAccount"].ID.Bytes()[:4]) {
		return cooperaVault.UnpackBadAccountError(raw[4:])
	}
	if bytes.Equal(raw[:4], cooperaVault.abi.Errors["NotBridge"].ID.Bytes()[:4]) {
		return cooperaVault.UnpackNotBridgeError(raw[4:])
	}
	if bytes.Equal(raw[:4], cooperaVault.abi.Errors["Reentered"].ID.Bytes()[:4]) {
		return cooperaVault.UnpackReenteredError(raw[4:])
	}
	if bytes.Equal(raw[:4], cooperaVault.abi.Errors["TransferFailed"].ID.Bytes()[:4]) {
		return cooperaVault.UnpackTransferFailedError(raw[4:])
	}
	if bytes.Equal(raw[:4], cooperaVault.abi.Errors["ZeroAmount"].ID.Bytes()[:4]) {
		return cooperaVault.UnpackZeroAmountError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// CooperaVaultAmountTooLarge represents a AmountTooLarge error raised by the CooperaVault contract.
type CooperaVaultAmountTooLarge struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AmountTooLarge()
func CooperaVaultAmountTooLargeErrorID() common.Hash {
	return common.HexToHash("0x06250401c072295744520da9e60a3a29ab28ceb9fda5d792222d5242d22e8a44")
}

// UnpackAmountTooLargeError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AmountTooLarge()
func (cooperaVault *CooperaVault) UnpackAmountTooLargeError(raw []byte) (*CooperaVaultAmountTooLarge, error) {
	out := new(CooperaVaultAmountTooLarge)
	if err := cooperaVault.abi.UnpackIntoInterface(out, "AmountTooLarge", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// CooperaVaultBadAccount represents a BadAccount error raised by the CooperaVault contract.
type CooperaVaultBadAccount struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error BadAccount()
func CooperaVaultBadAccountErrorID() common.Hash {
	return common.HexToHash("0x1c2b0777b22e0ef3f377bfcfcfc42e823913ab64f6fd3126c73b14b3f5b2ab6a")
}

// UnpackBadAccountError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error BadAccount()
func (cooperaVault *CooperaVault) UnpackBadAccountError(raw []byte) (*CooperaVaultBadAccount, error) {
	out := new(CooperaVaultBadAccount)
	if err := cooperaVault.abi.UnpackIntoInterface(out, "BadAccount", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// CooperaVaultNotBridge represents a NotBridge error raised by the CooperaVault contract.
type CooperaVaultNotBridge struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotBridge()
func CooperaVaultNotBridgeErrorID() common.Hash {
	return common.HexToHash("0x7fea9dc5767ac4b36a9ff237b0759bb2cace1063d7ac36dc2fd31d7b98e58aab")
}

// UnpackNotBridgeError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotBridge()
func (cooperaVault *CooperaVault) UnpackNotBridgeError(raw []byte) (*CooperaVaultNotBridge, error) {
	out := new(CooperaVaultNotBridge)
	if err := cooperaVault.abi.UnpackIntoInterface(out, "NotBridge", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// CooperaVaultReentered represents a Reentered error raised by the CooperaVault contract.
type CooperaVaultReentered struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error Reentered()
func CooperaVaultReenteredErrorID() common.Hash {
	return common.HexToHash("0xb5dfd9e53a10d4d747ca3de749b98baf23546e800cbacdb1dbc28233e586d1ee")
}

// UnpackReenteredError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error Reentered()
func (cooperaVault *CooperaVault) UnpackReenteredError(raw []byte) (*CooperaVaultReentered, error) {
	out := new(CooperaVaultReentered)
	if err := cooperaVault.abi.UnpackIntoInterface(out, "Reentered", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// CooperaVaultTransferFailed represents a TransferFailed error raised by the CooperaVault contract.
type CooperaVaultTransferFailed struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error TransferFailed()
func CooperaVaultTransferFailedErrorID() common.Hash {
	return common.HexToHash("0x90b8ec1877afffd816d05d9b13947f3ff18ec5851c38bad15ec2b710f92391b1")
}

// UnpackTransferFailedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error TransferFailed()
func (cooperaVault *CooperaVault) UnpackTransferFailedError(raw []byte) (*CooperaVaultTransferFailed, error) {
	out := new(CooperaVaultTransferFailed)
	if err := cooperaVault.abi.UnpackIntoInterface(out, "TransferFailed", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// CooperaVaultZeroAmount represents a ZeroAmount error raised by the CooperaVault contract.
type CooperaVaultZeroAmount struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroAmount()
func CooperaVaultZeroAmountErrorID() common.Hash {
	return common.HexToHash("0x1f2a2005cb66a8e145327e8814e243a0996aec9bfe1e15a495778b1236dbd485")
}

// UnpackZeroAmountError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroAmount()
func (cooperaVault *CooperaVault) UnpackZeroAmountError(raw []byte) (*CooperaVaultZeroAmount, error) {
	out := new(CooperaVaultZeroAmount)
	if err := cooperaVault.abi.UnpackIntoInterface(out, "ZeroAmount", raw); err != nil {
		return nil, err
	}
	return out, nil
}
