package postgis

import (
	"syscall"
	"time"
)

// tcpUserTimeout is TCP_USER_TIMEOUT of linux/tcp.h, the same on every
// architecture; the syscall package defines it for only some of them.
const tcpUserTimeout = 0x12

// setUserTimeout sets TCP_USER_TIMEOUT on c. It is a bound on top of the
// others, so a kernel that refuses it (before 2.6.37) leaves the
// connection as it is rather than failing it.
func setUserTimeout(c syscall.RawConn, d time.Duration) {
	_ = c.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, tcpUserTimeout, int(d.Milliseconds()))
	})
}
