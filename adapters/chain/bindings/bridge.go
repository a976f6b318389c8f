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

// CooperaBridgeMetaData contains all meta data concerning the CooperaBridge contract.
var CooperaBridgeMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[{\"internalType\":\"address\",\"name\":\"anchorer_\",\"type\":\"address\"}],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"nonce\",\"type\":\"uint64\"}],\"name\":\"AlreadyReleased\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"BadProof\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"last\",\"type\":\"uint64\"}],\"name\":\"HeightNotAfter\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"index\",\"type\":\"uint64\"}],\"name\":\"NoAnchor\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"NotAnchorer\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"want\",\"type\":\"uint64\"}],\"name\":\"WrongIndex\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"index\",\"type\":\"uint64\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"height\",\"type\":\"uint64\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"blockHash\",\"type\":\"bytes32\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"stateRoot\",\"type\":\"bytes32\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"withdrawalsRoot\",\"type\":\"bytes32\"}],\"name\":\"Anchored\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"nonce\",\"type\":\"uint64\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"recipient\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"token\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"anchor\",\"type\":\"uint64\"}],\"name\":\"Released\",\"type\":\"event\"},{\"inputs\":[],\"name\":\"anchorCount\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"anchorer\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"\",\"type\":\"address\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"name\":\"anchors\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"height\",\"type\":\"uint64\"},{\"internalType\":\"bytes32\",\"name\":\"blockHash\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"stateRoot\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"withdrawalsRoot\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"nonce\",\"type\":\"uint64\"},{\"internalType\":\"address\",\"name\":\"recipient\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"token\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"leaf\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"index\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"height\",\"type\":\"uint64\"},{\"internalType\":\"bytes32\",\"name\":\"blockHash\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"stateRoot\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"withdrawalsRoot\",\"type\":\"bytes32\"}],\"name\":\"postAnchor\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"name\":\"released\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"vault\",\"outputs\":[{\"internalType\":\"contractCooperaVault\",\"name\":\"\",\"type\":\"address\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"anchorIndex\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"nonce\",\"type\":\"uint64\"},{\"internalType\":\"address\",\"name\":\"recipient\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"token\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"},{\"internalType\":\"bytes32[]\",\"name\":\"proof\",\"type\":\"bytes32[]\"}],\"name\":\"withdraw\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"}]",
	ID:  "CooperaBridge",
	Bin: "0x60c060405234801561000f575f5ffd5b506040516110af3803806110af83398101604081905261002e91610080565b6001600160a01b03811660a05260405161004790610073565b604051809103905ff080158015610060573d5f5f3e3d5ffd5b506001600160a01b0316608052506100ad565b6106b3806109fc83390190565b5f60208284031215610090575f5ffd5b81516001600160a01b03811681146100a6575f5ffd5b9392505050565b60805160a05161091a6100e25f395f818160d2015261020f01525f81816101e2015281816105ab0152610675015261091a5ff3fe608060405234801561000f575f5ffd5b5060043610610085575f3560e01c8063b17c032511610058578063b17c03251461011f578063e267270814610140578063fa21065314610172578063fbfa77cf146101dd575f5ffd5b806334f96c8c146100895780634da48e46146100b857806384609921146100cd5780638edf9cde1461010c575b5f5ffd5b5f5461009b906001600160401b031681565b6040516001600160401b0390911681526020015b60405180910390f35b6100cb6100c6366004610720565b610204565b005b6100f47f000000000000000000000000000000000000000000000000000000000000000081565b6040516001600160a01b0390911681526020016100af565b6100cb61011a36600461077f565b61040a565b61013261012d366004610839565b610661565b6040519081526020016100af565b61016261014e366004610881565b60026020525f908152604090205460ff1681565b60405190151581526020016100af565b6101b3610180366004610881565b600160208190525f918252604090912080549181015460028201546003909201546001600160401b039093169290919084565b604080516001600160401b03909516855260208501939093529183015260608201526080016100af565b6100f47f000000000000000000000000000000000000000000000000000000000000000081565b336001600160a01b037f0000000000000000000000000000000000000000000000000000000000000000161461024d5760405163d46c421560e01b815260040160405180910390fd5b5f54610263906001600160401b031660016108b5565b6001600160401b0316856001600160401b0316146102bb575f54610291906001600160401b031660016108b5565b6040516314ab66a360e21b81526001600160401b0390911660048201526024015b60405180910390fd5b6001856001600160401b03161180156102ff575060015f6102dc82886108da565b6001600160401b03908116825260208201929092526040015f2054811690851611155b156103495760015f61031182886108da565b6001600160401b039081168252602082019290925260409081015f205490516316e15d2960e11b8152911660048201526024016102b2565b60408051608080820183526001600160401b03878116808452602080850189815285870189815260608088018a81528e87165f81815260018088528c82209b518c549a1667ffffffffffffffff199a8b16178c559551958b0195909555925160028a0155516003909801979097558154909416841790558551918252810188905293840186905291830184905290917fef1044fee53c5749d95239a90980aee75cc57029307a4117ce186c3213502d08910160405180910390a25050505050565b6001600160401b0386165f9081526002602052604090205460ff161561044e57604051630968f4dd60e41b81526001600160401b03871660048201526024016102b2565b6001600160401b038088165f9081526001602052604081208054909216900361049557604051632ccdeee160e01b81526001600160401b03891660048201526024016102b2565b5f6104a288888888610661565b90505f5b83811015610536575f8585838181106104c1576104c16108f9565b9050602002013590508083106105005760408051602081018390529081018490526060016040516020818303038152906040528051906020012061052b565b6040805160208101859052908101829052606001604051602081830303815290604052805190602001205b9250506001016104a6565b508160030154811461055b57604051637ca55c7760e01b815260040160405180910390fd5b6001600160401b0388165f9081526002602052604090819020805460ff1916600117905551638bfb07c960e01b81526001600160a01b0387811660048301528881166024830152604482018790527f00000000000000000000000000000000000000000000000000000000000000001690638bfb07c9906064015f604051808303815f87803b1580156105ec575f5ffd5b505af11580156105fe573d5f5f3e3d5ffd5b5050604080518881526001600160401b038d811660208301526001600160a01b03808c1695508c1693508c16917fe9b04b08e300c5335f406df27048018ded820a5b53b44861ec710774cb5fe4de910160405180910390a4505050505050505050565b604080514660208201526001600160a01b037f00000000000000000000000000000000000000000000000000000000000000008116928201929092526001600160401b0386166060820152818516608082015290831660a082015260c081018290525f9060e00160408051601f1981840301815282825280516020918201209083015201604051602081830303815290604052805190602001209050949350505050565b80356001600160401b038116811461071b575f5ffd5b919050565b5f5f5f5f5f60a08688031215610734575f5ffd5b61073d86610705565b945061074b60208701610705565b94979496505050506040830135926060810135926080909101359150565b80356001600160a01b038116811461071b575f5ffd5b5f5f5f5f5f5f5f60c0888a031215610795575f5ffd5b61079e88610705565b96506107ac60208901610705565b95506107ba60408901610769565b94506107c860608901610769565b93506080880135925060a08801356001600160401b038111156107e9575f5ffd5b8801601f81018a136107f9575f5ffd5b80356001600160401b0381111561080e575f5ffd5b8a60208260051b8401011115610822575f5ffd5b602082019350809250505092959891949750929550565b5f5f5f5f6080858703121561084c575f5ffd5b61085585610705565b935061086360208601610769565b925061087160408601610769565b9396929550929360600135925050565b5f60208284031215610891575f5ffd5b61089a82610705565b9392505050565b634e487b7160e01b5f52601160045260245ffd5b6001600160401b0381811683821601908111156108d4576108d46108a1565b92915050565b6001600160401b0382811682821603908111156108d4576108d46108a1565b634e487b7160e01b5f52603260045260245ffdfea164736f6c6343000825000a60a0604052600180553480156012575f5ffd5b503360805260805161067e6100355f395f818160ac0152610119015261067e5ff3fe608060405234801561000f575f5ffd5b506004361061004a575f3560e01c80632dfdf0b51461004e5780638bfb07c91461007f578063bfe07da614610094578063e78cea92146100a7575b5f5ffd5b5f546100619067ffffffffffffffff1681565b60405167ffffffffffffffff90911681526020015b60405180910390f35b61009261008d3660046104e7565b6100e6565b005b6100616100a2366004610521565b6101ed565b6100ce7f000000000000000000000000000000000000000000000000000000000000000081565b6040516001600160a01b039091168152602001610076565b6001546001146101095760405163b5dfd9e560e01b815260040160405180910390fd5b6002600155336001600160a01b037f0000000000000000000000000000000000000000000000000000000000000000161461015757604051637fea9dc560e01b815260040160405180910390fd5b60405163a9059cbb60e01b81526001600160a01b0383811660048301526024820183905284169063a9059cbb906044016020604051808303815f875af11580156101a3573d5f5f3e3d5ffd5b505050506040513d601f19601f820116820180604052508101906101c791906105a4565b6101e4576040516312171d8360e31b815260040160405180910390fd5b50506001805550565b5f6001546001146102115760405163b5dfd9e560e01b815260040160405180910390fd5b60026001555f84900361023757604051631f2a200560e01b815260040160405180910390fd5b8115806102445750604082115b1561026257604051631c2b077760e01b815260040160405180910390fd5b6040516370a0823160e01b81523060048201525f906001600160a01b038716906370a0823190602401602060405180830381865afa1580156102a6573d5f5f3e3d5ffd5b505050506040513d601f19601f820116820180604052508101906102ca91906105ca565b6040516323b872dd60e01b8152336004820152306024820152604481018790529091506001600160a01b038716906323b872dd906064016020604051808303815f875af115801561031d573d5f5f3e3d5ffd5b505050506040513d601f19601f8201168201806040525081019061034191906105a4565b61035e576040516312171d8360e31b815260040160405180910390fd5b6040516370a0823160e01b81523060048201525f9082906001600160a01b038916906370a0823190602401602060405180830381865afa1580156103a4573d5f5f3e3d5ffd5b505050506040513d601f19601f820116820180604052508101906103c891906105ca565b6103d291906105f5565b9050805f036103f457604051631f2a200560e01b815260040160405180910390fd5b6fffffffffffffffffffffffffffffffff81111561042557604051630625040160e01b815260040160405180910390fd5b5f8054819061043d9067ffffffffffffffff1661060e565b91906101000a81548167ffffffffffffffff021916908367ffffffffffffffff16021790559250336001600160a01b0316876001600160a01b03168467ffffffffffffffff167fa86f965b31e40e16e167263c0e72f3e555a8cd3fc14f23ea4e38e2ef914727238888866040516104b69392919061063a565b60405180910390a4505060018055949350505050565b80356001600160a01b03811681146104e2575f5ffd5b919050565b5f5f5f606084860312156104f9575f5ffd5b610502846104cc565b9250610510602085016104cc565b929592945050506040919091013590565b5f5f5f5f60608587031215610534575f5ffd5b61053d856104cc565b935060208501359250604085013567ffffffffffffffff81111561055f575f5ffd5b8501601f8101871361056f575f5ffd5b803567ffffffffffffffff811115610585575f5ffd5b876020828401011115610596575f5ffd5b949793965060200194505050565b5f602082840312156105b4575f5ffd5b815180151581146105c3575f5ffd5b9392505050565b5f602082840312156105da575f5ffd5b5051919050565b634e487b7160e01b5f52601160045260245ffd5b81810381811115610608576106086105e1565b92915050565b5f67ffffffffffffffff821667ffffffffffffffff8103610631576106316105e1565b60010192915050565b60408152826040820152828460608301375f606084830101525f6060601f19601f860116830101905082602083015294935050505056fea164736f6c6343000825000a",
}

// CooperaBridge is an auto generated Go binding around an Ethereum contract.
type CooperaBridge struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *CooperaBridge) GetABI() abi.ABI {
	return c.abi
}

// NewCooperaBridge creates a new instance of CooperaBridge.
func NewCooperaBridge() *CooperaBridge {
	parsed, err := CooperaBridgeMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &CooperaBridge{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *CooperaBridge) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackConstructor is the Go binding used to pack the parameters required for
// contract deployment.
//
// Solidity: constructor(address anchorer_) returns()
func (cooperaBridge *CooperaBridge) PackConstructor(anchorer_ common.Address) []byte {
	enc, err := cooperaBridge.abi.Pack("", anchorer_)
	if err != nil {
		panic(err)
	}
	return enc
}

// PackAnchorCount is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x34f96c8c.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function anchorCount() view returns(uint64)
func (cooperaBridge *CooperaBridge) PackAnchorCount() []byte {
	enc, err := cooperaBridge.abi.Pack("anchorCount")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAnchorCount is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x34f96c8c.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function anchorCount() view returns(uint64)
func (cooperaBridge *CooperaBridge) TryPackAnchorCount() ([]byte, error) {
	return cooperaBridge.abi.Pack("anchorCount")
}

// UnpackAnchorCount is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x34f96c8c.
//
// Solidity: function anchorCount() view returns(uint64)
func (cooperaBridge *CooperaBridge) UnpackAnchorCount(data []byte) (uint64, error) {
	out, err := cooperaBridge.abi.Unpack("anchorCount", data)
	if err != nil {
		return *new(uint64), err
	}
	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)
	return out0, nil
}

// PackAnchorer is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x84609921.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function anchorer() view returns(address)
func (cooperaBridge *CooperaBridge) PackAnchorer() []byte {
	enc, err := cooperaBridge.abi.Pack("anchorer")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAnchorer is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x84609921.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function anchorer() view returns(address)
func (cooperaBridge *CooperaBridge) TryPackAnchorer() ([]byte, error) {
	return cooperaBridge.abi.Pack("anchorer")
}

// UnpackAnchorer is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x84609921.
//
// Solidity: function anchorer() view returns(address)
func (cooperaBridge *CooperaBridge) UnpackAnchorer(data []byte) (common.Address, error) {
	out, err := cooperaBridge.abi.Unpack("anchorer", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// PackAnchors is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xfa210653.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function anchors(uint64 ) view returns(uint64 height, bytes32 blockHash, bytes32 stateRoot, bytes32 withdrawalsRoot)
func (cooperaBridge *CooperaBridge) PackAnchors(arg0 uint64) []byte {
	enc, err := cooperaBridge.abi.Pack("anchors", arg0)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAnchors is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xfa210653.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function anchors(uint64 ) view returns(uint64 height, bytes32 blockHash, bytes32 stateRoot, bytes32 withdrawalsRoot)
func (cooperaBridge *CooperaBridge) TryPackAnchors(arg0 uint64) ([]byte, error) {
	return cooperaBridge.abi.Pack("anchors", arg0)
}

// AnchorsOutput serves as a container for the return parameters of contract
// method Anchors.
type AnchorsOutput struct {
	Height          uint64
	BlockHash       [32]byte
	StateRoot       [32]byte
	WithdrawalsRoot [32]byte
}

// UnpackAnchors is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xfa210653.
//
// Solidity: function anchors(uint64 ) view returns(uint64 height, bytes32 blockHash, bytes32 stateRoot, bytes32 withdrawalsRoot)
func (cooperaBridge *CooperaBridge) UnpackAnchors(data []byte) (AnchorsOutput, error) {
	out, err := cooperaBridge.abi.Unpack("anchors", data)
	outstruct := new(AnchorsOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Height = *abi.ConvertType(out[0], new(uint64)).(*uint64)
	outstruct.BlockHash = *abi.ConvertType(out[1], new([32]byte)).(*[32]byte)
	outstruct.StateRoot = *abi.ConvertType(out[2], new([32]byte)).(*[32]byte)
	outstruct.WithdrawalsRoot = *abi.ConvertType(out[3], new([32]byte)).(*[32]byte)
	return *outstruct, nil
}

// PackLeaf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xb17c0325.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function leaf(uint64 nonce, address recipient, address token, uint256 amount) view returns(bytes32)
func (cooperaBridge *CooperaBridge) PackLeaf(nonce uint64, recipient common.Address, token common.Address, amount *big.Int) []byte {
	enc, err := cooperaBridge.abi.Pack("leaf", nonce, recipient, token, amount)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackLeaf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xb17c0325.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function leaf(uint64 nonce, address recipient, address token, uint256 amount) view returns(bytes32)
func (cooperaBridge *CooperaBridge) TryPackLeaf(nonce uint64, recipient common.Address, token common.Address, amount *big.Int) ([]byte, error) {
	return cooperaBridge.abi.Pack("leaf", nonce, recipient, token, amount)
}

// UnpackLeaf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xb17c0325.
//
// Solidity: function leaf(uint64 nonce, address recipient, address token, uint256 amount) view returns(bytes32)
func (cooperaBridge *CooperaBridge) UnpackLeaf(data []byte) ([32]byte, error) {
	out, err := cooperaBridge.abi.Unpack("leaf", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackPostAnchor is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x4da48e46.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function postAnchor(uint64 index, uint64 height, bytes32 blockHash, bytes32 stateRoot, bytes32 withdrawalsRoot) returns()
func (cooperaBridge *CooperaBridge) PackPostAnchor(index uint64, height uint64, blockHash [32]byte, stateRoot [32]byte, withdrawalsRoot [32]byte) []byte {
	enc, err := cooperaBridge.abi.Pack("postAnchor", index, height, blockHash, stateRoot, withdrawalsRoot)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPostAnchor is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x4da48e46.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function postAnchor(uint64 index, uint64 height, bytes32 blockHash, bytes32 stateRoot, bytes32 withdrawalsRoot) returns()
func (cooperaBridge *CooperaBridge) TryPackPostAnchor(index uint64, height uint64, blockHash [32]byte, stateRoot [32]byte, withdrawalsRoot [32]byte) ([]byte, error) {
	return cooperaBridge.abi.Pack("postAnchor", index, height, blockHash, stateRoot, withdrawalsRoot)
}

// PackReleased is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe2672708.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function released(uint64 ) view returns(bool)
func (cooperaBridge *CooperaBridge) PackReleased(arg0 uint64) []byte {
	enc, err := cooperaBridge.abi.Pack("released", arg0)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackReleased is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe2672708.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function released(uint64 ) view returns(bool)
func (cooperaBridge *CooperaBridge) TryPackReleased(arg0 uint64) ([]byte, error) {
	return cooperaBridge.abi.Pack("released", arg0)
}

// UnpackReleased is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xe2672708.
//
// Solidity: function released(uint64 ) view returns(bool)
func (cooperaBridge *CooperaBridge) UnpackReleased(data []byte) (bool, error) {
	out, err := cooperaBridge.abi.Unpack("released", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackVault is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xfbfa77cf.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function vault() view returns(address)
func (cooperaBridge *CooperaBridge) PackVault() []byte {
	enc, err := cooperaBridge.abi.Pack("vault")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackVault is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xfbfa77cf.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function vault() view returns(address)
func (cooperaBridge *CooperaBridge) TryPackVault() ([]byte, error) {
	return cooperaBridge.abi.Pack("vault")
}

// UnpackVault is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xfbfa77cf.
//
// Solidity: function vault() view returns(address)
func (cooperaBridge *CooperaBridge) UnpackVault(data []byte) (common.Address, error) {
	out, err := cooperaBridge.abi.Unpack("vault", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// PackWithdraw is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8edf9cde.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function withdraw(uint64 anchorIndex, uint64 nonce, address recipient, address token, uint256 amount, bytes32[] proof) returns()
func (cooperaBridge *CooperaBridge) PackWithdraw(anchorIndex uint64, nonce uint64, recipient common.Address, token common.Address, amount *big.Int, proof [][32]byte) []byte {
	enc, err := cooperaBridge.abi.Pack("withdraw", anchorIndex, nonce, recipient, token, amount, proof)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackWithdraw is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8edf9cde.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function withdraw(uint64 anchorIndex, uint64 nonce, address recipient, address token, uint256 amount, bytes32[] proof) returns()
func (cooperaBridge *CooperaBridge) TryPackWithdraw(anchorIndex uint64, nonce uint64, recipient common.Address, token common.Address, amount *big.Int, proof [][32]byte) ([]byte, error) {
	return cooperaBridge.abi.Pack("withdraw", anchorIndex, nonce, recipient, token, amount, proof)
}

// CooperaBridgeAnchored represents a Anchored event raised by the CooperaBridge contract.
type CooperaBridgeAnchored struct {
	Index           uint64
	Height          uint64
	BlockHash       [32]byte
	StateRoot       [32]byte
	WithdrawalsRoot [32]byte
	Raw             *types.Log // Blockchain specific contextual infos
}

const CooperaBridgeAnchoredEventName = "Anchored"

// ContractEventName returns the user-defined event name.
func (CooperaBridgeAnchored) ContractEventName() string {
	return CooperaBridgeAnchoredEventName
}

// UnpackAnchoredEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Anchored(uint64 indexed index, uint64 height, bytes32 blockHash, bytes32 stateRoot, bytes32 withdrawalsRoot)
func (cooperaBridge *CooperaBridge) UnpackAnchoredEvent(log *types.Log) (*CooperaBridgeAnchored, error) {
	event := "Anchored"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != cooperaBridge.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(CooperaBridgeAnchored)
	if len(log.Data) > 0 {
		if err := cooperaBridge.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range cooperaBridge.abi.Events[event].Inputs {
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

// CooperaBridgeReleased represents a Released event raised by the CooperaBridge contract.
type CooperaBridgeReleased struct {
	Nonce     uint64
	Recipient common.Address
	Token     common.Address
	Amount    *big.Int
	Anchor    uint64
	Raw       *types.Log // Blockchain specific contextual infos
}

const CooperaBridgeReleasedEventName = "Released"

// ContractEventName returns the user-defined event name.
func (CooperaBridgeReleased) ContractEventName() string {
	return CooperaBridgeReleasedEventName
}

// UnpackReleasedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Released(uint64 indexed nonce, address indexed recipient, address indexed token, uint256 amount, uint64 anchor)
func (cooperaBridge *CooperaBridge) UnpackReleasedEvent(log *types.Log) (*CooperaBridgeReleased, error) {
	event := "Released"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != cooperaBridge.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(CooperaBridgeReleased)
	if len(log.Data) > 0 {
		if err := cooperaBridge.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range cooperaBridge.abi.Events[event].Inputs {
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
func (cooperaBridge *CooperaBridge) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], cooperaBridge.abi.Errors["AlreadyReleased"].ID.Bytes()[:4]) {
		return cooperaBridge.UnpackAlreadyReleasedError(raw[4:])
	}
	if bytes.Equal(raw[:4], cooperaBridge.abi.Errors["BadProof"].ID.Bytes()[:4]) {
		return cooperaBridge.UnpackBadProofError(raw[4:])
	}
	if bytes.Equal(raw[:4], cooperaBridge.abi.Errors["HeightNotAfter"].ID.Bytes()[:4]) {
		return cooperaBridge.UnpackHeightNotAfterError(raw[4:])
	}
	if bytes.Equal(raw[:4], cooperaBridge.abi.Errors["NoAnchor"].ID.Bytes()[:4]) {
		return cooperaBridge.UnpackNoAnchorError(raw[4:])
	}
	if bytes.Equal(raw[:4], cooperaBridge.abi.Errors["NotAnchorer"].ID.Bytes()[:4]) {
		return cooperaBridge.UnpackNotAnchorerError(raw[4:])
	}
	if bytes.Equal(raw[:4], cooperaBridge.abi.Errors["WrongIndex"].ID.Bytes()[:4]) {
		return cooperaBridge.UnpackWrongIndexError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// CooperaBridgeAlreadyReleased represents a AlreadyReleased error raised by the CooperaBridge contract.
type CooperaBridgeAlreadyReleased struct {
	Nonce uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AlreadyReleased(uint64 nonce)
func CooperaBridgeAlreadyReleasedErrorID() common.Hash {
	return common.HexToHash("0x968f4dd0df6040e752d1a1e53483ef44691383c9da07a2fac042251dbf998c29")
}

// UnpackAlreadyReleasedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AlreadyReleased(uint64 nonce)
func (cooperaBridge *CooperaBridge) UnpackAlreadyReleasedError(raw []byte) (*CooperaBridgeAlreadyReleased, error) {
	out := new(CooperaBridgeAlreadyReleased)
	if err := cooperaBridge.abi.UnpackIntoInterface(out, "AlreadyReleased", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// CooperaBridgeBadProof represents a BadProof error raised by the CooperaBridge contract.
type CooperaBridgeBadProof struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error BadProof()
func CooperaBridgeBadProofErrorID() common.Hash {
	return common.HexToHash("0x7ca55c774976027f27f73629387ed99a2044a8721aec39c3c2717944b08c423a")
}

// UnpackBadProofError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error BadProof()
func (cooperaBridge *CooperaBridge) UnpackBadProofError(raw []byte) (*CooperaBridgeBadProof, error) {
	out := new(CooperaBridgeBadProof)
	if err := cooperaBridge.abi.UnpackIntoInterface(out, "BadProof", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// CooperaBridgeHeightNotAfter represents a HeightNotAfter error raised by the CooperaBridge contract.
type CooperaBridgeHeightNotAfter struct {
	Last uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error HeightNotAfter(uint64 last)
func CooperaBridgeHeightNotAfterErrorID() common.Hash {
	return common.HexToHash("0x2dc2ba52982574c2ba31922899afd28d72ecb6a251645a106a25ad253c1149c4")
}

// UnpackHeightNotAfterError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error HeightNotAfter(uint64 last)
func (cooperaBridge *CooperaBridge) UnpackHeightNotAfterError(raw []byte) (*CooperaBridgeHeightNotAfter, error) {
	out := new(CooperaBridgeHeightNotAfter)
	if err := cooperaBridge.abi.UnpackIntoInterface(out, "HeightNotAfter", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// CooperaBridgeNoAnchor represents a NoAnchor error raised by the CooperaBridge contract.
type CooperaBridgeNoAnchor struct {
	Index uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NoAnchor(uint64 index)
func CooperaBridgeNoAnchorErrorID() common.Hash {
	return common.HexToHash("0x2ccdeee16543e84c0db360740212ed9b5867ef30ba3d30e0956f5dfc1643b0b0")
}

// UnpackNoAnchorError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NoAnchor(uint64 index)
func (cooperaBridge *CooperaBridge) UnpackNoAnchorError(raw []byte) (*CooperaBridgeNoAnchor, error) {
	out := new(CooperaBridgeNoAnchor)
	if err := cooperaBridge.abi.UnpackIntoInterface(out, "NoAnchor", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// CooperaBridgeNotAnchorer represents a NotAnchorer error raised by the CooperaBridge contract.
type CooperaBridgeNotAnchorer struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotAnchorer()
func CooperaBridgeNotAnchorerErrorID() common.Hash {
	return common.HexToHash("0xd46c421551fe2266e1bb7beaeca933dc4d061345cf5687ce932b8304d8c06f44")
}

// UnpackNotAnchorerError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotAnchorer()
func (cooperaBridge *CooperaBridge) UnpackNotAnchorerError(raw []byte) (*CooperaBridgeNotAnchorer, error) {
	out := new(CooperaBridgeNotAnchorer)
	if err := cooperaBridge.abi.UnpackIntoInterface(out, "NotAnchorer", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// CooperaBridgeWrongIndex represents a WrongIndex error raised by the CooperaBridge contract.
type CooperaBridgeWrongIndex struct {
	Want uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error WrongIndex(uint64 want)
func CooperaBridgeWrongIndexErrorID() common.Hash {
	return common.HexToHash("0x52ad9a8c0bdafd7d2d593c092afa1b4d273edd7ce36ff1b7f654fbc1e558cfd7")
}

// UnpackWrongIndexError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error WrongIndex(uint64 want)
func (cooperaBridge *CooperaBridge) UnpackWrongIndexError(raw []byte) (*CooperaBridgeWrongIndex, error) {
	out := new(CooperaBridgeWrongIndex)
	if err := cooperaBridge.abi.UnpackIntoInterface(out, "WrongIndex", raw); err != nil {
		return nil, err
	}
	return out, nil
}
