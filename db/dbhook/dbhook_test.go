package dbhook_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbhook"
	"github.com/areagraph/areagraph/db/memory"
)

// nilStore has no methods of its own: every call panics.
type nilStore struct{ db.Store }

// call calls method name of s with zero arguments and a background
// context, and returns what it panicked with.
func call(s db.Store, name string) (panicked any) {
	method := reflect.ValueOf(s).MethodByName(name)
	args := make([]reflect.Value, method.Type().NumIn())
	for j := range args {
		if in := method.Type().In(j); in == reflect.TypeFor[context.Context]() {
			args[j] = reflect.ValueOf(context.Background())
		} else {
			args[j] = reflect.Zero(in)
		}
	}
	defer func() { panicked = recover() }()
	method.Call(args)
	return nil
}

// Every method of db.Store passes the hook under its own name and calls
// the same method of the store it wraps. The decorator spells each method
// out, so this catches a name or a call copied wrong: the inner wrapper
// tells which method the outer one called.
func TestEveryMethodPassesTheHookUnderItsName(t *testing.T) {
	var outer, inner []string
	var ended []error
	s := dbhook.Wrap(dbhook.Wrap(nilStore{}, func(_ context.Context, method string) func(error) {
		inner = append(inner, method)
		return nil
	}), func(_ context.Context, method string) func(error) {
		outer = append(outer, method)
		return func(err error) { ended = append(ended, err) }
	})
	iface := reflect.TypeFor[db.Store]()
	for i := range iface.NumMethod() {
		name := iface.Method(i).Name
		if name == "Close" {
			continue
		}
		outer, inner, ended = nil, nil, nil
		p := call(s, name)
		if p == nil {
			t.Errorf("%s: the panic was swallowed", name)
		}
		if len(outer) != 1 || outer[0] != name {
			t.Errorf("%s: the hook saw %v", name, outer)
		}
		if len(inner) != 1 || inner[0] != name {
			t.Errorf("%s: called %v on the store it wraps", name, inner)
		}
		var pe *dbhook.PanicError
		if len(ended) != 1 || !errors.As(ended[0], &pe) || pe.Value != p {
			t.Errorf("%s: done saw %v, want the panic %v", name, ended, p)
		}
	}
}

func TestDoneSeesTheOutcome(t *testing.T) {
	got := map[string]error{}
	s := dbhook.Wrap(memory.New(), func(_ context.Context, method string) func(error) {
		return func(err error) { got[method] = err }
	})
	defer s.Close()
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AreaByCode(ctx, "nope"); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("AreaByCode: %v", err)
	}
	if err, ok := got["Ping"]; !ok || err != nil {
		t.Errorf("Ping: %v, %v", err, ok)
	}
	if err := got["AreaByCode"]; !errors.Is(err, db.ErrNotFound) {
		t.Errorf("AreaByCode: done saw %v", err)
	}
}

// Counter returns no done: the call goes through all the same.
func TestCounter(t *testing.T) {
	var c dbhook.Counter
	s := dbhook.Wrap(memory.New(), c.Hook)
	ctx := context.Background()
	_ = s.Ping(ctx)
	_, _ = s.AreaByCode(ctx, "nope")
	if n := c.Reset(); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
	if n := c.Reset(); n != 0 {
		t.Errorf("%d calls after Reset", n)
	}
}

// A wrapped store keeps its tree reads, hooked; one without them refuses
// trees through the wrapper as it would alone.
func TestReadTreePassesThrough(t *testing.T) {
	var c dbhook.Counter
	tree := &db.Tree{RootID: 1, Root: db.TreeNode{Type: db.TreeArea}}
	var b bytes.Buffer
	if err := dbhook.Wrap(memory.New(), c.Hook).(db.TreeReader).ReadTree(t.Context(), tree, &b); err != nil || b.String() != "null" {
		t.Fatalf("through the wrapper: %v, %q", err, b.String())
	}
	if n := c.Reset(); n != 1 {
		t.Errorf("%d calls hooked, want 1", n)
	}
	if err := dbhook.Wrap(nilStore{}, c.Hook).(db.TreeReader).ReadTree(t.Context(), tree, &b); !errors.Is(err, db.ErrTreeUnsupported) {
		t.Errorf("a store without tree reads: %v, want ErrTreeUnsupported", err)
	}
	if n := c.Reset(); n != 0 {
		t.Errorf("%d calls hooked for a refusal that reached no store, want 0", n)
	}
}
