package transfer

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progressInterval and progressStep pace the progress line: often enough
// to show movement, rarely enough not to cost time on a fast import.
const (
	progressInterval = 500 * time.Millisecond
	progressStep     = 1 // per cent
)

// ProgressTo returns stderr when it is a terminal, where a progress line
// rewritten in place helps; nil otherwise, since in a log or a pipe the
// carriage returns would only be noise.
func ProgressTo(stderr io.Writer) io.Writer {
	f, ok := stderr.(*os.File)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return f
}

// progress reports how far one pass over a file has come, as the share of
// its bytes read, or of its records when their number is known beforehand
// (of). A nil writer makes every method a no-op.
type progress struct {
	w       io.Writer
	label   string
	size    int64
	records int64 // the number of records, when known; then the share is of them
	read    countingReader
	lastPct int64
	last    time.Time
	shown   bool
}

func newProgress(w io.Writer, label string) *progress {
	return &progress{w: w, label: label, lastPct: -1}
}

// reader returns r, counting what is read from it when progress is shown.
// The share read is known when r can tell its size, as a file can.
func (p *progress) reader(r io.Reader) io.Reader {
	if p.w == nil {
		return r
	}
	if f, ok := r.(interface{ Stat() (os.FileInfo, error) }); ok {
		if fi, err := f.Stat(); err == nil {
			p.size = fi.Size()
		}
	}
	p.read.r = r
	return &p.read
}

// of tells p that the pass will read n records, for a reading that knows
// its count but reads no stream p could count (a GeoPackage layer).
func (p *progress) of(n int64) {
	p.records = n
}

// tick notes that records have been read so far, and redraws the line
// when a step or an interval has passed.
func (p *progress) tick(records int) {
	if p.w == nil {
		return
	}
	pct := int64(100)
	switch {
	case p.records > 0:
		pct = min(int64(records)*100/p.records, 100)
	case p.size > 0:
		pct = p.read.n * 100 / p.size
	}
	if pct < p.lastPct+progressStep && time.Since(p.last) < progressInterval {
		return
	}
	p.lastPct, p.last, p.shown = pct, time.Now(), true
	fmt.Fprintf(p.w, "\r%s: %3d%% (%d records)", p.label, pct, records)
}

// done ends the line, so that what is printed next starts on its own.
func (p *progress) done(records int) {
	if p.w == nil || !p.shown {
		return
	}
	p.lastPct = -1
	p.last = time.Time{}
	p.tick(records)
	fmt.Fprintln(p.w)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}
