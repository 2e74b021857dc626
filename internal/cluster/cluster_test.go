package cluster

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// users is how many people the directory holds: more than the full code
// flows of a run, so that every flow is a first consent.
const users = 1000

// TestCluster is `make cluster-test`: the whole cluster under load and
// three faults (package doc). It runs only with GATEHOUSE_CLUSTER=1;
// GATEHOUSE_BINARY names the gatehouse to run, or it is built.
func TestCluster(t *testing.T) {
	if os.Getenv("GATEHOUSE_CLUSTER") != "1" {
		t.Skip("set GATEHOUSE_CLUSTER=1 to run the cluster test (make cluster-test)")
	}
	bin := os.Getenv("GATEHOUSE_BINARY")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "gatehouse")
		build := exec.Command("go", "build", "-o", bin, "github.com/gatehouse-idp/gatehouse/cmd/gatehouse")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("build gatehouse: %v\n%s", err, out)
		}
	}
	w := startWorld(t, bin, users)
	rec, wins, err := run(t.Context(), w, os.Stdout)
	if err != nil {
		t.Fatal(err)
	}
	l, err := verify(w.LDAP.B, rec, w.Client.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeReport(os.Stdout, rec, wins, l); err != nil {
		t.Fatal(err)
	}
	problems := judge(rec, wins, l).Problems
	for _, p := range problems {
		t.Error(p)
	}
	if len(problems) > 0 {
		for i, g := range w.Gatehouses {
			t.Logf("gatehouse %d, warnings and errors:\n%s", i+1, logLines(g.Output(), 15))
		}
	}
	if len(wins) != len(faults()) {
		t.Errorf("%d of %d faults injected", len(wins), len(faults()))
	}
}

// logLines picks up to limit warning and error lines of a server's log.
func logLines(log string, limit int) string {
	var out []string
	for line := range strings.Lines(log) {
		if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") {
			if out = append(out, line); len(out) == limit {
				break
			}
		}
	}
	return strings.Join(out, "")
}
