package geo

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoGraphQLBelowGraph keeps geometry and the storage contract free of
// GraphQL: geo and db (with their subpackages) sit below graph, and the
// GeoJSON scalar's gqlgen marshalling lives in graph/model. A gqlgen or
// gqlparser import anywhere in their dependencies fails here.
func TestNoGraphQLBelowGraph(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH:", err)
	}
	cmd := exec.Command(goTool, "list", "-deps", "./geo/...", "./db/...")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.Contains(pkg, "/gqlgen") || strings.Contains(pkg, "/gqlparser") ||
			pkg == "github.com/areagraph/areagraph/graph" || strings.HasPrefix(pkg, "github.com/areagraph/areagraph/graph/") {
			t.Errorf("geo or db depends on %s; GraphQL belongs in graph", pkg)
		}
	}
}
