package metering

import "strconv"

// MIGProfile names a MIG instance's profile as NVIDIA does, from its GPU
// slice count and memory: "<slices>g.<GB>gb", the memory in GiB rounded up
// (an A100-80GB's 9984 MiB instance is "1g.10gb").
func MIGProfile(slices uint32, memoryMB uint64) string {
	gb := (memoryMB + 1023) / 1024
	return strconv.FormatUint(uint64(slices), 10) + "g." + strconv.FormatUint(gb, 10) + "gb"
}
