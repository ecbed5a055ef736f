//go:build !linux

package postgis

import (
	"syscall"
	"time"
)

// setUserTimeout does nothing where TCP_USER_TIMEOUT does not exist: the
// keepalive and the request deadlines bound the waits there.
func setUserTimeout(syscall.RawConn, time.Duration) {}
