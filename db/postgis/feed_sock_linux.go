package postgis

import (
	"encoding/binary"
	"syscall"
)

// tcpInfo is TCP_INFO of linux/tcp.h, the same on every architecture.
const tcpInfo = 0xb

// tcpEstablished is TCP_ESTABLISHED, the first byte of struct tcp_info
// while the connection is up.
const tcpEstablished = 1

// sockUp reports whether the kernel still has the connection established.
// The kernel changes the state the moment a reset or the peer's close
// arrives, before the goroutine reading the socket has been scheduled to
// notice; asking it costs one system call.
func sockUp(c syscall.RawConn) bool {
	up := false
	err := c.Control(func(fd uintptr) {
		// Only the first bytes of tcp_info are wanted; the kernel copies
		// as many as asked for.
		v, err := syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, tcpInfo)
		if err != nil {
			// Not TCP (a Unix socket): nothing to learn here.
			up = true
			return
		}
		var b [4]byte
		binary.NativeEndian.PutUint32(b[:], uint32(v))
		up = b[0] == tcpEstablished
	})
	return err == nil && up
}
