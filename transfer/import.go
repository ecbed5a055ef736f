package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
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
// the reader to twoPasses with the store's upsert. A format that is not
// read as a stream (a GeoPackage, an SQLite database opened by its path)
// gives twoReadings a reading of its own instead.

// A Source is what an import reads: its name, which messages give, and a
// way to open it, once for each pass. Path is the file on disk when the
// Source is one: a format kept in a database rather than a stream
// (GeoPackage) is opened by its path, not read through Open.
type Source struct {
	Name string
	Open func() (io.ReadCloser, error)
	Path string
}

// File is the file at path as a Source.
func File(path string) Source {
	return Source{Name: path, Path: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// twoPasses reads src with read once to check every record, then again as
// the sequence upsert writes. prog, when not nil, is shown each pass's
// progress.
func twoPasses[T any](ctx context.Context, src Source, prog io.Writer, read func(io.Reader) iter.Seq2[*T, error],
	upsert func(context.Context, db.ImportFile, iter.Seq2[*T, error]) (db.ImportCounts, error)) (db.ImportCounts, error) {
	return twoReadings(ctx, src, prog, streamed(src, read), upsert)
}

// A reading is one pass over a file: its records, read one at a time, the
// pass's progress shown on p (which the reading feeds: with the bytes it
// reads through p.reader, or with the count of records it will yield
// through p.of).
type reading[T any] func(p *progress) iter.Seq2[*T, error]

// twoReadings is twoPasses for any reading: a format that is not a stream
// (GeoPackage) reads its file its own way, with the same two passes.
func twoReadings[T any](ctx context.Context, src Source, prog io.Writer, read reading[T],
	upsert func(context.Context, db.ImportFile, iter.Seq2[*T, error]) (db.ImportCounts, error)) (db.ImportCounts, error) {
	sum, err := fileSum(src)
	if err != nil {
		return db.ImportCounts{}, err
	}
	for _, err := range pass(read, newProgress(prog, "checking")) {
		if err != nil {
			return db.ImportCounts{}, err
		}
	}
	return secondReading(ctx, src, prog, read, sum, upsert)
}

// secondReading hands upsert the reading that writes, with the file named
// by src and sum, its SHA-256 before the first reading. The file is summed
// again once read: a file changed in between ends the sequence with an
// error, so the upsert writes nothing of it, and the audit log never names
// a file by a sum it no longer has.
func secondReading[T any](ctx context.Context, src Source, prog io.Writer, read reading[T], sum string,
	upsert func(context.Context, db.ImportFile, iter.Seq2[*T, error]) (db.ImportCounts, error)) (db.ImportCounts, error) {
	return upsert(ctx, db.ImportFile{Name: src.Name, SHA256: sum}, func(yield func(*T, error) bool) {
		for v, err := range pass(read, newProgress(prog, "importing")) {
			if !yield(v, err) || err != nil {
				return
			}
		}
		if now, err := fileSum(src); err != nil {
			yield(nil, err)
		} else if now != sum {
			yield(nil, fmt.Errorf("%s: the file changed while it was imported; nothing was written, import it again", src.Name))
		}
	})
}

// fileSum is the SHA-256 of the file src, in lower-case hex: what names it
// in the audit log. Reading it whole once more costs little next to
// parsing it.
func fileSum(src Source) (string, error) {
	f, err := src.Open()
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", src.Name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// upsertAreas is store's upsert of areas by by for twoReadings. The audit
// entries of areas name each area, not the file.
func upsertAreas(store db.BulkImporter, by db.Actor) func(context.Context, db.ImportFile, iter.Seq2[*db.AreaInput, error]) (db.ImportCounts, error) {
	return func(ctx context.Context, _ db.ImportFile, areas iter.Seq2[*db.AreaInput, error]) (db.ImportCounts, error) {
		return store.UpsertAreas(ctx, by, areas)
	}
}

// upsertValues is store's upsert of values by by for twoReadings.
func upsertValues(store db.BulkImporter, by db.Actor) func(context.Context, db.ImportFile, iter.Seq2[*db.ValueInput, error]) (db.ImportCounts, error) {
	return func(ctx context.Context, file db.ImportFile, values iter.Seq2[*db.ValueInput, error]) (db.ImportCounts, error) {
		return store.UpsertIndicatorValues(ctx, by, file, values)
	}
}

// streamed is the reading of src as a stream with read.
func streamed[T any](src Source, read func(io.Reader) iter.Seq2[*T, error]) reading[T] {
	return func(p *progress) iter.Seq2[*T, error] {
		return func(yield func(*T, error) bool) {
			f, err := src.Open()
			if err != nil {
				yield(nil, err)
				return
			}
			defer f.Close()
			for v, err := range read(p.reader(f)) {
				if !yield(v, err) || err != nil {
					return
				}
			}
		}
	}
}

// pass is one reading, its progress shown on p.
func pass[T any](read reading[T], p *progress) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		n := 0
		defer func() { p.done(n) }()
		for v, err := range read(p) {
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
