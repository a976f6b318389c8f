package metering

import "errors"

var (
	// ErrOptions is an invalid Options or NVMLOptions field.
	ErrOptions = errors.New("metering: invalid options")
	// ErrScrape is a DCGM exporter that could not be read or answered
	// other than 200.
	ErrScrape = errors.New("metering: scrape")
	// ErrParse is exporter text that is not Prometheus text, or a sample
	// whose value or labels cannot be used.
	ErrParse = errors.New("metering: parse")
	// ErrNVML is a failed NVML call.
	ErrNVML = errors.New("metering: nvml")
	// ErrNoNVML is returned where NVML cannot be used: a build without cgo
	// or not on Linux, or no NVML library on the machine.
	ErrNoNVML = errors.New("metering: no NVML")
)
