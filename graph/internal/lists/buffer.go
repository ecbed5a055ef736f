package lists

import (
	"bytes"
	"context"
	"sync"
)

// The generated executor marshals a query's or a mutation's answer into a
// bytes.Buffer of its own, which grows by doubling: a map's view of
// outlines, some 90 KB, cost over 200 KB of garbage a request, and on a
// server whose heap holds the whole dataset every such megabyte is a
// collection that marks all of it. graph/internal/seqlists rewrites that
// buffer into a call of Buffer, which lends one from a pool when the
// request says (WithBuffers) it will give it back once the answer is
// written.

// Buffers holds the buffers a request's executor was lent; Release gives
// them back. One request's, used by one goroutine at a time.
type Buffers struct {
	lent []*bytes.Buffer
}

type buffersKey struct{}

// maxPooled is the largest buffer given back to the pool: a rare answer
// of many megabytes is not to be held for the next small one.
const maxPooled = 4 << 20

var pool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// WithBuffers has the executor run under ctx marshal its answers into
// buffers lent from the pool, to be given back by b.Release once nothing
// reads the answers' data any more.
func WithBuffers(ctx context.Context, b *Buffers) context.Context {
	return context.WithValue(ctx, buffersKey{}, b)
}

// Buffer is the buffer the executor marshals an answer into: lent from
// the pool when ctx has Buffers to note it in, else a new one, kept by
// whoever keeps the answer.
func Buffer(ctx context.Context) *bytes.Buffer {
	b, ok := ctx.Value(buffersKey{}).(*Buffers)
	if !ok || b == nil {
		return new(bytes.Buffer)
	}
	buf := pool.Get().(*bytes.Buffer)
	buf.Reset()
	b.lent = append(b.lent, buf)
	return buf
}

// Release gives back the buffers lent under b. The data of the answers
// marshalled into them must no longer be read: they are overwritten by
// the next request's.
func (b *Buffers) Release() {
	for i, buf := range b.lent {
		if buf.Cap() <= maxPooled {
			pool.Put(buf)
		}
		b.lent[i] = nil
	}
	b.lent = b.lent[:0]
}
