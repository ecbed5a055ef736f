//go:build !unix

package layers_test

import "time"

// cpuTime is -1: the CPU time of the process is read on Unix only.
func cpuTime() time.Duration { return -1 }
