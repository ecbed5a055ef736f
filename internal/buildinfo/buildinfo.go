// Package buildinfo tells which build of areagraph is running: the module
// version and the revision of the source it was built from, as the Go
// toolchain records them in the binary. The version command and the
// areagraph_build_info metric read it, so an operator can tell from a
// running server which commit it serves.
package buildinfo

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Info is what the binary knows of its own build. A field the toolchain did
// not record (a test binary, a build outside a VCS checkout) is "unknown"
// rather than empty, so that a metric label or a bug report never shows a
// blank.
type Info struct {
	// Version is the main module's version: a tag such as v1.4.0 for
	// `go install …@v1.4.0`, a pseudo-version that the toolchain derives
	// from the VCS for a checkout, or "(devel)".
	Version string
	// Revision is the VCS revision (the commit hash) of the source.
	Revision string
	// Time is the commit time of Revision, RFC 3339.
	Time string
	// Modified is whether the checkout had uncommitted changes.
	Modified bool
	// GoVersion is the toolchain that built the binary.
	GoVersion string
}

const unknown = "unknown"

// Read returns the running binary's build information.
func Read() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{Version: unknown, Revision: unknown, Time: unknown, GoVersion: unknown}
	}
	return fromBuildInfo(bi)
}

func fromBuildInfo(bi *debug.BuildInfo) Info {
	info := Info{Version: bi.Main.Version, Revision: unknown, Time: unknown, GoVersion: bi.GoVersion}
	if info.Version == "" {
		info.Version = unknown
	}
	if info.GoVersion == "" {
		info.GoVersion = unknown
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Revision = s.Value
		case "vcs.time":
			info.Time = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	return info
}

// String is the one line `areagraph version` prints, e.g.
// "areagraph v0.0.0-20261207040000-d390fcc1a2b3 (revision d390fcc1a2b3…, 2026-12-07T04:00:00Z, go1.26.8)".
func (i Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "areagraph %s (revision %s", i.Version, i.Revision)
	if i.Modified {
		b.WriteString(" with local changes")
	}
	if i.Time != unknown {
		fmt.Fprintf(&b, ", %s", i.Time)
	}
	fmt.Fprintf(&b, ", %s)", i.GoVersion)
	return b.String()
}
