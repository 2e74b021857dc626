package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gatehouse-idp/gatehouse/internal/load"
	"github.com/gatehouse-idp/gatehouse/internal/load/limit"
	"github.com/gatehouse-idp/gatehouse/internal/load/rig"
	"github.com/gatehouse-idp/gatehouse/internal/load/scenarios"
	"github.com/gatehouse-idp/gatehouse/internal/redistest"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

var binDir string

func TestMain(m *testing.M) {
	// The self-hosted limit scenarios run os.Executable() -serve-limit:
	// in a test that is this binary, which then acts as gatehouse-load.
	if len(os.Args) > 1 && os.Args[1] == "-"+limit.FlagServe {
		main()
	}
	dir, err := os.MkdirTemp("", "gatehouse-load-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir) // a leftover temp dir is not worth failing for
	os.Exit(code)
}

var (
	buildOnce sync.Once
	buildErr  error
)

// gatehouseBinary builds cmd/gatehouse once per test run: the load
// generator drives the real binary as a child process.
func gatehouseBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(binDir, "gatehouse")
	buildOnce.Do(func() {
		out, err := exec.Command("go", "build", "-o", bin, "github.com/gatehouse-idp/gatehouse/cmd/gatehouse").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("build gatehouse: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bin
}

// startRig starts a private OpenLDAP and gatehouse, skipping without
// slapd (or redis-server) except when CI=true.
func startRig(t *testing.T, opts rig.Options) *rig.Rig {
	t.Helper()
	opts.Binary = gatehouseBinary(t)
	r, err := rig.Start(t.Context(), opts)
	notInstalled := errors.Is(err, ldaptest.ErrNotInstalled) || errors.Is(err, redistest.ErrNotInstalled)
	switch {
	case notInstalled && os.Getenv("CI") != "true":
		t.Skipf("%v (scripts/test-deps.sh installs it)", err)
	case err != nil:
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	})
	return r
}

// TestEveryScenarioAgainstGatehouse runs each scenario for a few dozen
// iterations against a real gatehouse serve on a private OpenLDAP, through
// the command line as a user would call it, and wants every iteration to
// succeed and every column of the report filled.
func TestEveryScenarioAgainstGatehouse(t *testing.T) {
	t.Parallel() // mostly waiting for child processes
	// No drain period: the restart below need not wait for a load
	// balancer that is not there.
	r := startRig(t, rig.Options{Users: 8, ExtraYAML: "http: {drainPeriod: 1ms}\n"})
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte(r.Client.Secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{
		"-target", r.Gatehouse.URL, "-scenario", "all", "-n", "20", "-workers", "4", "-json",
		"-client-id", r.Client.ID, "-client-secret-file", secretFile, "-redirect-uri", r.Client.RedirectURI,
		"-users", rig.DefaultUserPattern, "-user-count", "8", "-pid", strconv.Itoa(r.Gatehouse.PID()),
	}, &stdout, &stderr)
	sums := decode(t, stdout.Bytes())
	if code != exitOK || len(sums) != len(scenarios.Names()) {
		t.Fatalf("exit %d, %d summaries; stderr:\n%s\nstdout:\n%s\nserver:\n%s", code, len(sums), stderr.String(), stdout.String(), r.Gatehouse.Output())
	}
	// HTTP requests per iteration: one, except the sign-ins (authorize,
	// which answers with the login page, the login form, consent when
	// asked, token; a returning user skips the login).
	minRequests := map[string]int64{"code-flow": 3, "code-flow-returning": 2}
	for i, s := range sums {
		t.Run(s.Scenario, func(t *testing.T) {
			if s.Scenario != scenarios.Names()[i] || s.OK != 20 || s.Failed() != 0 || s.Iterations != 20 {
				t.Errorf("ok %d of %d, failures %v", s.OK, s.Iterations, s.Failures)
			}
			if s.HTTPRequests < 20*max(minRequests[s.Scenario], 1) {
				t.Errorf("%d HTTP requests for 20 iterations", s.HTTPRequests)
			}
			if s.Throughput <= 0 || s.Latency.P50 <= 0 || s.Latency.P50 > s.Latency.P99 || s.Latency.P99 > s.Latency.Max || s.PeakRSS < 1<<20 {
				t.Errorf("throughput %v, latency %+v, peak RSS %d", s.Throughput, s.Latency, s.PeakRSS)
			}
		})
	}

	// The chaos suite restarts the server under load: same address, new
	// process, and the registered client is still there (it is in LDAP).
	t.Run("rig restart", func(t *testing.T) {
		oldPID := r.Gatehouse.PID()
		if err := r.Gatehouse.Restart(t.Context()); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		code := run(t.Context(), []string{"-target", r.Gatehouse.URL, "-scenario", "client-credentials", "-n", "3",
			"-client-id", r.Client.ID, "-client-secret-file", secretFile}, &out, &errOut)
		if r.Gatehouse.PID() == oldPID || code != exitOK {
			t.Errorf("after restart: PID %d (was %d), exit %d\n%s%s", r.Gatehouse.PID(), oldPID, code, out.String(), errOut.String())
		}
	})
}

// TestSelfHostedWithRedisSessions: -self-hosted starts its own directory,
// Redis and gatehouse, and a returning user's session lives in Redis; a
// limit row in the same run gives the others their ratios.
func TestSelfHostedWithRedisSessions(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{
		"-self-hosted", "-gatehouse", gatehouseBinary(t), "-redis", "-user-count", "3",
		"-scenario", "limit,code-flow-returning,discovery", "-n", "10", "-workers", "2",
	}, &stdout, &stderr)
	if code != exitOK && strings.Contains(stderr.String(), "not installed") && os.Getenv("CI") != "true" {
		t.Skip(stderr.String())
	}
	out := stdout.String()
	// The limit row mixes with Gatehouse's, which get ratios of it.
	if code != exitOK || !strings.Contains(out, "code-flow-returning") || !strings.Contains(out, "discovery") ||
		strings.Count(out, "\n") != 4 || strings.Count(out, "×") != 3 {
		t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, out, stderr.String())
	}
}

func decode(t *testing.T, raw []byte) []*load.Summary {
	t.Helper()
	var sums []*load.Summary
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &sums); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, raw)
		}
	}
	return sums
}

// TestFailuresAreReportedAndExitNonZero: against a server that answers
// 500, every iteration fails, the table says so by class, and the exit
// status is 1.
func TestFailuresAreReportedAndExitNonZero(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-target", srv.URL, "-scenario", "discovery", "-n", "5", "-workers", "2"}, &stdout, &stderr)
	if code != exitFailure || !strings.Contains(stdout.String(), "http_500:5") {
		t.Errorf("exit %d; stdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
}

func TestUsageErrors(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "remote target", args: []string{"-target", "http://idp.example.com"}, want: "not a loopback address"},
		{name: "unknown scenario", args: []string{"-target", srv.URL, "-scenario", "nope"}, want: `unknown scenario "nope"`},
		{name: "no bound", args: []string{"-target", srv.URL, "-n", "0", "-duration", "0"}, want: "at least one must bound the run"},
		{name: "bad user pattern", args: []string{"-target", srv.URL, "-users", "nocolon"}, want: "want NAME:PASSWORD"},
		{name: "missing secret file", args: []string{"-target", srv.URL, "-scenario", "client-credentials", "-client-id", "x", "-client-secret-file", "/nonexistent/secret"}, want: "-client-secret-file"},
		{name: "client-credentials without a client", args: []string{"-target", srv.URL, "-scenario", "client-credentials"}, want: "needs a client ID and secret"},
		{name: "self-hosted with a client", args: []string{"-self-hosted", "-client-id", "x"}, want: "drop -client-id"},
		{name: "limit without self-hosted", args: []string{"-target", srv.URL, "-scenario", "limit"}, want: "needs -self-hosted"},
		{name: "serve-limit without a client", args: []string{"-serve-limit", "127.0.0.1:0"}, want: "needs -client-id and -client-secret-file"},
		{name: "serve-limit unknown alg", args: []string{"-serve-limit", "127.0.0.1:0", "-limit-alg", "HS256", "-client-id", "x", "-client-secret-file", "f"}, want: `-limit-alg "HS256"`},
		{name: "stray argument", args: []string{"-target", srv.URL, "extra"}, want: `unexpected argument "extra"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, &stdout, &stderr)
			if code != exitUsage || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr.String(), exitUsage, tc.want)
			}
		})
	}
	if hits.Load() != 0 {
		t.Errorf("%d requests reached the server despite usage errors", hits.Load())
	}
}
