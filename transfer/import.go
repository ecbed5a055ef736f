package transfer

import (
	"context"
	"errors"
	"io"
	"iter"

	"github.com/areagraph/areagraph/db"
)

// An import reads its file twice. The first pass checks every record
// (parsing, property mapping, coordinate system, geometry, values) and
// stops at the first bad one with the file, the record and the reason; only
// a file that passes is read a second time, straight into the store's
// upsert, which writes all of it in one transaction or nothing. Neither
// pass holds more than one record at a time, so files of any size import in
// a small, fixed amount of memory.

// twoPasses runs each over the whole file to check it, then again as the
// sequence upsert writes. each hands every record to fn until fn returns
// false.
func twoPasses[T any](ctx context.Context, prog io.Writer, upsert func(context.Context, iter.Seq2[*T, error]) (int, error),
	each func(p *progress, fn func(line int, v *T) bool) error) (int, error) {
	if err := each(newProgress(prog, "checking"), func(int, *T) bool { return true }); err != nil {
		return 0, err
	}
	return upsert(ctx, func(yield func(*T, error) bool) {
		if err := each(newProgress(prog, "importing"), func(_ int, v *T) bool { return yield(v, nil) }); err != nil {
			yield(nil, err)
		}
	})
}

// messageOf is the text of err meant for the person who wrote the file.
func messageOf(err error) string {
	var e *db.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
