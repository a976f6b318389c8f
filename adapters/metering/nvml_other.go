//go:build !(cgo && linux)

package metering

import "fmt"

// NVMLOptions configure an NVML source (cgo on Linux only).
type NVMLOptions struct {
	Host string
}

// OpenNVML needs cgo on Linux; this build has neither, so it returns
// ErrNoNVML.
func OpenNVML(opts NVMLOptions) (Source, func() error, error) {
	return nil, nil, fmt.Errorf("%w: this build has no cgo or is not for Linux", ErrNoNVML)
}
