//go:build !amd64 || purego

package ledger

func keystream(key *[32]byte, out *LtHash, buf *[]byte) { keystreamGeneric(key, out, buf) }

func addLanes(l, o *LtHash) { addLanesGeneric(l, o) }

func subLanes(l, o *LtHash) { subLanesGeneric(l, o) }
