package main

import "os"

// The walk-through, checked: go test ./examples/metering
func Example() {
	if err := run(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// window 09:00 GPU-5e0b       h100          40 GPU-s  31.5 kJ -> record 40 x gpu_seconds:h100 for gpu-host-a
	// window 09:00 GPU-a17c       a100           0 GPU-s  15.8 kJ -> energy shared by its instances' records
	// window 09:00 GPU-a17c/gi1   a100/3g.40gb  27 GPU-s   0.0 kJ -> record 27 x gpu_seconds:a100/3g.40gb for gpu-host-b
	// window 09:00 GPU-a17c/gi13  a100/1g.10gb   9 GPU-s   0.0 kJ -> record 9 x gpu_seconds:a100/1g.10gb for gpu-host-b
	// window 09:01 GPU-5e0b       h100          54 GPU-s  42.0 kJ -> record 54 x gpu_seconds:h100 for gpu-host-a
	// window 09:01 GPU-a17c       a100           0 GPU-s  21.0 kJ -> energy shared by its instances' records
	// window 09:01 GPU-a17c/gi1   a100/3g.40gb  36 GPU-s   0.0 kJ -> record 36 x gpu_seconds:a100/3g.40gb for gpu-host-b
	// window 09:01 GPU-a17c/gi13  a100/1g.10gb  12 GPU-s   0.0 kJ -> record 12 x gpu_seconds:a100/1g.10gb for gpu-host-b
	// 6 contribution records applied
	// gpu-host-a: contribution 940 from 2 records in epoch 0, 73.5 kJ metered
	// gpu-host-b: contribution 273 from 4 records in epoch 0, 36.8 kJ metered
	// epoch 0 gpu-host-a: contribution 940, reward 154987.633965 COOP (balance 154987.633965)
	// epoch 0 gpu-host-b: contribution 273, reward 45012.366034 COOP (balance 45012.366034)
}
