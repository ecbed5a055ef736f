package main

import (
	"errors"
	"os/user"
	"testing"
)

func TestCLIActor(t *testing.T) {
	known := func() (*user.User, error) { return &user.User{Username: "anna", Uid: "1000"}, nil }
	unknown := func() (*user.User, error) { return nil, user.UnknownUserIdError(1000680000) }
	uid := func(n int) func() int { return func() int { return n } }
	for _, c := range []struct {
		name    string
		current func() (*user.User, error)
		uid     int
		want    string
	}{
		{"a named user", known, 1000, "cli:anna"},
		{"a uid without a name", unknown, 1000680000, "cli:1000680000"},
		{"an empty name", func() (*user.User, error) { return &user.User{}, nil }, 0, "cli:0"},
		{"no uids at all", func() (*user.User, error) { return nil, errors.New("not implemented") }, -1, "cli:unknown"},
	} {
		if got := cliActorOf(c.current, uid(c.uid)); got.ID != c.want {
			t.Errorf("%s: %q, want %q", c.name, got.ID, c.want)
		}
	}
	// The running user, whoever it is, has a name or a uid.
	if got := cliActor().ID; got == "cli:unknown" || got == "cli:" {
		t.Errorf("the running user: %q", got)
	}
}
