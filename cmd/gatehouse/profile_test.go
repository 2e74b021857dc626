package main

import (
	"os"
	"strconv"
	"testing"

	"github.com/gatehouse-idp/gatehouse/internal/load"
	"github.com/gatehouse-idp/gatehouse/internal/load/scenarios"
)

// TestProfileCodeFlows drives GATEHOUSE_PROFILE_FLOWS sign-ins of each
// kind (code-flow, code-flow-returning) through an in-process `gatehouse
// serve` against a private slapd, so that `go test -cpuprofile` profiles
// the server's own code (net/http/pprof is not mounted in the server),
// and logs the table and the directory operations per flow. Not run
// unless the variable is set: it measures, and make test asserts no
// timings (docs/performance.md says how to run it).
func TestProfileCodeFlows(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("GATEHOUSE_PROFILE_FLOWS"))
	if n <= 0 {
		t.Skip("set GATEHOUSE_PROFILE_FLOWS=N to profile N code flows of each kind")
	}
	workers := 16
	if w, _ := strconv.Atoi(os.Getenv("GATEHOUSE_PROFILE_WORKERS")); w > 0 {
		workers = w
	}
	s := startObservedServer(t, "", "")
	cfg := scenarios.Config{
		Target: s.base, ClientID: "demo-rp", ClientSecret: demoSecret, RedirectURI: s.base + "/demo/callback",
		Users:   []scenarios.User{{Name: "alice", Password: "alice-password"}, {Name: "bob", Password: "bob-password"}},
		Workers: workers,
	}
	var sums []*load.Summary
	for _, name := range []string{"code-flow", "code-flow-returning"} {
		sc, err := scenarios.New(name, cfg)
		if err != nil {
			t.Fatal(err)
		}
		before := s.directoryOps(t)
		sum, err := load.Run(t.Context(), sc, load.Options{Workers: workers, Requests: n})
		if err != nil {
			t.Fatal(err)
		}
		ops := s.directoryOps(t).minus(before)
		per := roundTrips{}
		for op, v := range ops {
			per[op] = float64(int(100*v/float64(sum.Iterations))) / 100
		}
		t.Logf("%s: directory operations per flow (setup included): %v", name, per)
		sums = append(sums, sum)
	}
	if err := load.WriteTable(t.Output(), sums); err != nil {
		t.Fatal(err)
	}
}
