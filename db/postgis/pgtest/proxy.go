package pgtest

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Proxy is a TCP proxy between a test and its database that the test
// controls, to play a database that goes away and comes back while the
// code under test keeps running.
type Proxy struct {
	target string
	ln     net.Listener
	wg     sync.WaitGroup

	mu    sync.Mutex
	state proxyState
	conns map[net.Conn]struct{} // both ends of every proxied connection
	held  map[net.Conn]struct{} // connections taken while stalled
}

type proxyState int

const (
	passing proxyState = iota
	cut
	stalled
)

// NewProxy starts a proxy on the loopback to the server of dbURL, a
// postgres:// URL, and returns it with dbURL rewritten to go through it.
// The proxy stops when the test ends.
func NewProxy(t testing.TB, dbURL string) (*Proxy, string) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatalf("pgtest: proxy: %v", err)
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "5432")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pgtest: proxy: %v", err)
	}
	p := &Proxy{target: target, ln: ln, conns: map[net.Conn]struct{}{}, held: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	u.Host = ln.Addr().String()
	return p, u.String()
}

// Cut plays a database server that died: every connection through the
// proxy is reset, and so is every new one, until Restore. New connections
// are accepted and reset rather than refused at the port, so that the
// proxy keeps its port for Restore.
func (p *Proxy) Cut() { p.set(cut) }

// Stall plays a database host that stopped answering: every connection
// through the proxy is reset, and new ones are accepted but get no answer,
// until Restore.
func (p *Proxy) Stall() { p.set(stalled) }

// Restore lets connections through again. Connections taken while
// stalled are reset: a client gave up on them long before.
func (p *Proxy) Restore() { p.set(passing) }

func (p *Proxy) set(s proxyState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state = s
	if s != passing {
		resetAll(p.conns)
	}
	resetAll(p.held)
}

func resetAll(conns map[net.Conn]struct{}) {
	for c := range conns {
		reset(c)
		delete(conns, c)
	}
}

// reset closes c with a TCP reset, as a crashed server's kernel sends,
// rather than an orderly end of stream.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		p.mu.Lock()
		switch p.state {
		case cut:
			reset(c)
		case stalled:
			p.held[c] = struct{}{}
		default:
			p.wg.Add(1)
			go p.pass(c)
		}
		p.mu.Unlock()
	}
}

// pass proxies one connection until either end closes it.
func (p *Proxy) pass(client net.Conn) {
	defer p.wg.Done()
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		reset(client)
		return
	}
	p.mu.Lock()
	if p.state != passing {
		// Cut while dialling: the connection must not outlive the cut.
		p.mu.Unlock()
		reset(client)
		reset(server)
		return
	}
	p.conns[client] = struct{}{}
	p.conns[server] = struct{}{}
	p.mu.Unlock()

	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(server, client)
	go pipe(client, server)
	<-done
	p.mu.Lock()
	delete(p.conns, client)
	delete(p.conns, server)
	p.mu.Unlock()
	_ = client.Close()
	_ = server.Close()
	<-done
}

func (p *Proxy) close() {
	_ = p.ln.Close()
	p.set(cut)
	p.wg.Wait()
}
