package main

import (
	"fmt"
	"runtime/debug"

	"github.com/gatehouse-idp/gatehouse/schema"
)

// version and buildCommit are set at build time with -ldflags
// "-X main.version=... -X main.buildCommit=..." (scripts/dist.sh); without
// buildCommit the commit comes from the VCS stamp of the Go tool.
var (
	version     = "dev"
	buildCommit = ""
)

func (a *app) version(args []string) error {
	if err := parseFlags(newFlagSet("version"), args); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "gatehouse %s (commit %s, LDAP schema %s)\n", version, commit(), schema.Version)
	return nil
}

// commit reads the VCS revision the Go tool stamped into the binary.
func commit() string {
	if buildCommit != "" {
		return buildCommit
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "unknown", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
			if len(rev) > 12 {
				rev = rev[:12]
			}
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}
