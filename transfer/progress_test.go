package transfer

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProgress(t *testing.T) {
	if ProgressTo(&bytes.Buffer{}) != nil {
		t.Error("progress to a buffer")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if ProgressTo(f) != nil {
		t.Error("progress to a regular file")
	}
	// A file read a byte at a time: a line per per cent at most, and one
	// to end with.
	data := strings.Repeat("x", 1000)
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out bytes.Buffer
	p := newProgress(&out, "checking")
	r := p.reader(in)
	buf := make([]byte, 1)
	for i := 1; ; i++ {
		if _, err := r.Read(buf); err != nil {
			break
		}
		p.tick(i)
	}
	p.done(len(data))
	lines := strings.Split(out.String(), "\r")
	if len(lines) < 10 || len(lines) > 103 {
		t.Errorf("%d progress lines for 1000 bytes", len(lines))
	}
	if last := lines[len(lines)-1]; last != "checking: 100% (1000 records)\n" {
		t.Errorf("last progress line %q", last)
	}
	q := newProgress(nil, "checking")
	if r := q.reader(in); r != io.Reader(in) {
		t.Error("a silent progress counts what is read")
	}
	q.tick(1)
	q.done(1) // must not panic on the nil writer
}
