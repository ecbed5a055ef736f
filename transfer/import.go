package transfer

import (
	"context"
	"errors"
	"io"
	"iter"
	"os"

	"github.com/areagraph/areagraph/db"
)

// An import reads its file twice. The first pass checks every record
// (parsing, property mapping, coordinate system, geometry, values) and
// stops at the first bad one with the file, the record and the reason; only
// a file that passes is read a second time, straight into the store's
// upsert, which writes all of it in one transaction or nothing. Neither
// pass holds more than one record at a time, so files of any size import in
// a small, fixed amount of memory.
//
// A format is a reader, func(io.Reader) iter.Seq2[*db.AreaInput, error] or
// the like, that yields each record checked on its own and stops at the
// first error, whose text names the file and the record. Its import hands
// the reader to twoPasses with the store's upsert.

// A Source is what an import reads: its name, which messages give, and a
// way to open it, once for each pass.
type Source struct {
	Name string
	Open func() (io.ReadCloser, error)
}

// File is the file at path as a Source.
func File(path string) Source {
	return Source{Name: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// twoPasses reads src with read once to check every record, then again as
// the sequence upsert writes. prog, when not nil, is shown each pass's
// progress.
func twoPasses[T any](ctx context.Context, src Source, prog io.Writer, read func(io.Reader) iter.Seq2[*T, error],
	upsert func(context.Context, iter.Seq2[*T, error]) (int, error)) (int, error) {
	for _, err := range pass(src, read, newProgress(prog, "checking")) {
		if err != nil {
			return 0, err
		}
	}
	return upsert(ctx, pass(src, read, newProgress(prog, "importing")))
}

// pass is one reading of src with read, its progress shown on p.
func pass[T any](src Source, read func(io.Reader) iter.Seq2[*T, error], p *progress) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		f, err := src.Open()
		if err != nil {
			yield(nil, err)
			return
		}
		defer f.Close()
		n := 0
		defer func() { p.done(n) }()
		for v, err := range read(p.reader(f)) {
			n++
			if err == nil {
				p.tick(n)
			}
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}

// messageOf is the text of err meant for the person who wrote the file.
func messageOf(err error) string {
	var e *db.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
