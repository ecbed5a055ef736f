package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// subcommand splits the subcommand off args, as "areas" off "import areas
// FILE": one of names, or "" when help was asked for, which it shows. Any
// other word shows the help too, and is an error.
func subcommand(verb string, args, names []string, help string, stderr io.Writer) (string, []string, error) {
	what := ""
	if len(args) > 0 {
		what, args = args[0], args[1:]
	}
	if slices.Contains(names, what) {
		return what, args, nil
	}
	fmt.Fprintln(stderr, help)
	if what == "help" || isHelpFlag(what) {
		return "", nil, nil
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = strconv.Quote(n)
	}
	want := strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
	return "", nil, fmt.Errorf("%s what? want %s, got %q", verb, want, what)
}
