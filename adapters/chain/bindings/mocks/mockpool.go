// Code generated via abigen V2 - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package mocks

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

// MockPoolMetaData contains all meta data concerning the MockPool contract.
var MockPoolMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[{\"internalType\":\"int24\",\"name\":\"tick_\",\"type\":\"int24\"}],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[{\"internalType\":\"uint32[]\",\"name\":\"secondsAgos\",\"type\":\"uint32[]\"}],\"name\":\"observe\",\"outputs\":[{\"internalType\":\"int56[]\",\"name\":\"c\",\"type\":\"int56[]\"},{\"internalType\":\"uint160[]\",\"name\":\"l\",\"type\":\"uint160[]\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"start\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"tick\",\"outputs\":[{\"internalType\":\"int24\",\"name\":\"\",\"type\":\"int24\"}],\"stateMutability\":\"view\",\"type\":\"function\"}]",
	ID:  "MockPool",
	Bin: "0x60c060405234801561000f575f5ffd5b506040516104d33803806104d383398101604081905261002e9161003d565b60020b6080524260a052610064565b5f6020828403121561004d575f5ffd5b81518060020b811461005d575f5ffd5b9392505050565b60805160a05161043b6100985f395f818160a801526101ce01525f81816048015281816101a201526101f9015261043b5ff3fe608060405234801561000f575f5ffd5b506004361061003f575f3560e01c80633eaf5d9f14610043578063883bdbfd14610082578063be9a6555146100a3575b5f5ffd5b61006a7f000000000000000000000000000000000000000000000000000000000000000081565b60405160029190910b81526020015b60405180910390f35b61009561009036600461025f565b6100d8565b6040516100799291906102d0565b6100ca7f000000000000000000000000000000000000000000000000000000000000000081565b604051908152602001610079565b6060808267ffffffffffffffff8111156100f4576100f461035c565b60405190808252806020026020018201604052801561011d578160200160208202803683370190505b5091508267ffffffffffffffff8111156101395761013961035c565b604051908082528060200260200182016040528015610162578160200160208202803683370190505b5090505f5b838110156102575784848281811061018157610181610370565b90506020020160208101906101969190610384565b6101c99063ffffffff167f000000000000000000000000000000000000000000000000000000000000000060020b6103c2565b6101f37f0000000000000000000000000000000000000000000000000000000000000000426103e8565b610220907f000000000000000000000000000000000000000000000000000000000000000060020b6103c2565b61022a9190610401565b83828151811061023c5761023c610370565b60069290920b60209283029190910190910152600101610167565b509250929050565b5f5f60208385031215610270575f5ffd5b823567ffffffffffffffff811115610286575f5ffd5b8301601f81018513610296575f5ffd5b803567ffffffffffffffff8111156102ac575f5ffd5b8560208260051b84010111156102c0575f5ffd5b6020919091019590945092505050565b604080825283519082018190525f9060208501906060840190835b8181101561030c57835160060b8352602093840193909201916001016102eb565b5050838103602080860191909152855180835291810192508501905f5b818110156103505782516001600160a01b0316845260209384019390920191600101610329565b50919695505050505050565b634e487b7160e01b5f52604160045260245ffd5b634e487b7160e01b5f52603260045260245ffd5b5f60208284031215610394575f5ffd5b813563ffffffff811681146103a7575f5ffd5b9392505050565b634e487b7160e01b5f52601160045260245ffd5b5f8260060b8260060b028060060b91508082146103e1576103e16103ae565b5092915050565b818103818111156103fb576103fb6103ae565b92915050565b600682810b9082900b03667fffffffffffff198112667fffffffffffff821317156103fb576103fb6103ae56fea164736f6c6343000825000a",
}

// MockPool is an auto generated Go binding around an Ethereum contract.
type MockPool struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *MockPool) GetABI() abi.ABI {
	return c.abi
}

// NewMockPool creates a new instance of MockPool.
func NewMockPool() *MockPool {
	parsed, err := MockPoolMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &MockPool{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *MockPool) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackConstructor is the Go binding used to pack the parameters required for
// contract deployment.
//
// Solidity: constructor(int24 tick_) returns()
func (mockPool *MockPool) PackConstructor(tick_ *big.Int) []byte {
	enc, err := mockPool.abi.Pack("", tick_)
	if err != nil {
		panic(err)
	}
	return enc
}

// PackObserve is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x883bdbfd.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function observe(uint32[] secondsAgos) view returns(int56[] c, uint160[] l)
func (mockPool *MockPool) PackObserve(secondsAgos []uint32) []byte {
	enc, err := mockPool.abi.Pack("observe", secondsAgos)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackObserve is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x883bdbfd.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function observe(uint32[] secondsAgos) view returns(int56[] c, uint160[] l)
func (mockPool *MockPool) TryPackObserve(secondsAgos []uint32) ([]byte, error) {
	return mockPool.abi.Pack("observe", secondsAgos)
}

// ObserveOutput serves as a container for the return parameters of contract
// method Observe.
type ObserveOutput struct {
	C []*big.Int
	L []*big.Int
}

// UnpackObserve is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x883bdbfd.
//
// Solidity: function observe(uint32[] secondsAgos) view returns(int56[] c, uint160[] l)
func (mockPool *MockPool) UnpackObserve(data []byte) (ObserveOutput, error) {
	out, err := mockPool.abi.Unpack("observe", data)
	outstruct := new(ObserveOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.C = *abi.ConvertType(out[0], new([]*big.Int)).(*[]*big.Int)
	outstruct.L = *abi.ConvertType(out[1], new([]*big.Int)).(*[]*big.Int)
	return *outstruct, nil
}

// PackStart is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xbe9a6555.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function start() view returns(uint256)
func (mockPool *MockPool) PackStart() []byte {
	enc, err := mockPool.abi.Pack("start")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackStart is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xbe9a6555.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function start() view returns(uint256)
func (mockPool *MockPool) TryPackStart() ([]byte, error) {
	return mockPool.abi.Pack("start")
}

// UnpackStart is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xbe9a6555.
//
// Solidity: function start() view returns(uint256)
func (mockPool *MockPool) UnpackStart(data []byte) (*big.Int, error) {
	out, err := mockPool.abi.Unpack("start", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackTick is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3eaf5d9f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function tick() view returns(int24)
func (mockPool *MockPool) PackTick() []byte {
	enc, err := mockPool.abi.Pack("tick")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTick is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3eaf5d9f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function tick() view returns(int24)
func (mockPool *MockPool) TryPackTick() ([]byte, error) {
	return mockPool.abi.Pack("tick")
}

// UnpackTick is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x3eaf5d9f.
//
// Solidity: function tick() view returns(int24)
func (mockPool *MockPool) UnpackTick(data []byte) (*big.Int, error) {
	out, err := mockPool.abi.Unpack("tick", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}
