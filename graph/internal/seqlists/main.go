// Command seqlists rewrites the executor gqlgen generates so that it
// marshals the elements of a list one after another, through
// graph/internal/lists, instead of through graphql.MarshalSliceConcurrently,
// which starts a goroutine for every element of every list.
//
// Those goroutines buy nothing here. Every field that reads the store does
// so through the per-request loaders (graph/loader), which batch by sibling
// group, not by time: the first element that asks loads the field for all
// its siblings in one store call, and the others find it done. What is left
// for each element is CPU work, which a request spread over goroutines does
// no faster on a loaded server, and pays for in goroutine starts, stack
// growth and scheduling: about a quarter of the CPU of a nested query.
//
// gqlgen offers no setting for this (exec.worker_limit still starts a
// goroutine per element, only fewer at a time), so `go generate` runs this
// after gqlgen. It changes nothing but what it says here, and fails when it finds neither
// the call it replaces nor its replacement, so that a gqlgen upgrade that
// marshals lists another way is noticed rather than silently undone.
//
// It also has a query's or a mutation's answer marshalled into a buffer
// from lists.Buffer, in place of a new bytes.Buffer that grows by
// doubling, so that a request whose answer has been written can give the
// buffer back (graph/internal/lists/buffer.go says why).
//
// Usage: go run ./internal/seqlists generated/generated.go
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"go/parser"
	"go/token"
	"os"

	"golang.org/x/tools/go/ast/astutil"
)

const listsPath = "github.com/areagraph/areagraph/graph/internal/lists"

// rewrites are what is replaced, each by what replaces it. Each must be
// found, or its replacement, in the generated file.
var rewrites = []struct{ from, to string }{
	{"graphql.MarshalSliceConcurrently(", "lists.Marshal("},
	{"var buf bytes.Buffer\n\t\t\tdata.MarshalGQL(&buf)\n", "buf := lists.Buffer(ctx)\n\t\t\tdata.MarshalGQL(buf)\n"},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: seqlists FILE")
		os.Exit(2)
	}
	if err := rewrite(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "seqlists:", err)
		os.Exit(1)
	}
}

func rewrite(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	changed := false
	for _, rw := range rewrites {
		if !bytes.Contains(src, []byte(rw.from)) {
			if bytes.Contains(src, []byte(rw.to)) {
				continue // already rewritten
			}
			return fmt.Errorf("%s has neither %q nor %q: has gqlgen changed how it writes its executor?", path, rw.from, rw.to)
		}
		src = bytes.ReplaceAll(src, []byte(rw.from), []byte(rw.to))
		changed = true
	}
	if !changed {
		return nil
	}
	out, err := withImport(path, src)
	if err != nil {
		return fmt.Errorf("%s after the rewrite: %w", path, err)
	}
	return os.WriteFile(path, out, 0o644)
}

// withImport adds the import of the lists package to src, among the
// imports gqlgen wrote, and formats it.
func withImport(path string, src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	astutil.AddImport(fset, f, listsPath)
	var out bytes.Buffer
	if err := format.Node(&out, fset, f); err != nil {
		return nil, err
	}
	return format.Source(out.Bytes())
}
