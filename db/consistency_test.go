package db

import (
	"context"
	"testing"
)

func TestConsistencyText(t *testing.T) {
	for _, s := range []string{"0/1", "16/B374D848", "FFFFFFFF/FFFFFFFF"} {
		c, err := ParseConsistency(s)
		if err != nil {
			t.Fatalf("ParseConsistency(%q): %v", s, err)
		}
		if c.String() != s {
			t.Errorf("ParseConsistency(%q).String() = %q", s, c.String())
		}
	}
	if c, _ := ParseConsistency("16/b374d848"); c != 0x16_B374D848 {
		t.Errorf("lower case read as %X", uint64(c))
	}
	for _, s := range []string{"", "0/0", "/1", "1/", "1", "x/1", "1/1/1", "100000000/0", "0/100000000",
		"-1/1", "+1/1", " 1/1", "00000000000000001/1"} {
		if _, err := ParseConsistency(s); ErrorCode(err) != EINVALID {
			t.Errorf("ParseConsistency(%q) = %v, want EINVALID", s, err)
		}
	}
}

func TestConsistencyOfTakesTheLatest(t *testing.T) {
	ctx := context.Background()
	if ConsistencyOf(ctx) != 0 {
		t.Fatal("a bare context asks for a position")
	}
	NoteWrite(ctx, 5) // no sink: nothing happens
	ctx = WithConsistency(ctx, 10)
	ctx, w := WithWrites(ctx)
	if again, w2 := WithWrites(ctx); again != ctx || w2 != w {
		t.Fatal("WithWrites replaced the sink")
	}
	NoteWrite(ctx, 7)
	if got := ConsistencyOf(ctx); got != 10 {
		t.Errorf("ConsistencyOf = %d, want the asked 10", got)
	}
	NoteWrite(ctx, 12)
	NoteWrite(ctx, 11)
	if got := ConsistencyOf(ctx); got != 12 || w.Consistency() != 12 || WritesOf(ctx) != w {
		t.Errorf("ConsistencyOf = %d, writes %d, want 12", got, w.Consistency())
	}
}
