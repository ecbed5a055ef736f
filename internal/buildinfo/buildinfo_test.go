package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	bi := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/areagraph/areagraph", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "d390fcc"},
			{Key: "vcs.time", Value: "2026-12-07T04:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	got := fromBuildInfo(bi)
	want := Info{Version: "v1.2.3", Revision: "d390fcc", Time: "2026-12-07T04:00:00Z", Modified: true, GoVersion: "go1.26.8"}
	if got != want {
		t.Fatalf("fromBuildInfo = %+v, want %+v", got, want)
	}
	if s := got.String(); s != "areagraph v1.2.3 (revision d390fcc with local changes, 2026-12-07T04:00:00Z, go1.26.8)" {
		t.Errorf("String() = %q", s)
	}
}

// A binary without VCS stamps (a test binary, a build from a tarball)
// says "unknown" instead of leaving a blank.
func TestFromBuildInfoWithoutVCS(t *testing.T) {
	got := fromBuildInfo(&debug.BuildInfo{})
	if got.Version != unknown || got.Revision != unknown || got.Time != unknown || got.GoVersion != unknown {
		t.Fatalf("fromBuildInfo(empty) = %+v, want every field unknown", got)
	}
	if s := got.String(); strings.Contains(s, "  ") || !strings.HasPrefix(s, "areagraph unknown (revision unknown") {
		t.Errorf("String() = %q", s)
	}
}

func TestReadInTestBinary(t *testing.T) {
	if got := Read(); got.GoVersion == "" || got.Version == "" || got.Revision == "" {
		t.Fatalf("Read() = %+v: no field may be empty", got)
	}
}
