package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/internal/load/limit"
)

// TestSelfHostedLimit: -self-hosted runs the limit server as a child
// process (this test binary, see TestMain), without starting a directory
// or gatehouse when only limit rows are asked for (-gatehouse names
// nothing here), and every row but the RS256 limit carries its rate as a
// ratio of the limit's, in the table and in the JSON.
// TestSelfHostedWithRedisSessions mixes a limit row with Gatehouse's.
func TestSelfHostedLimit(t *testing.T) {
	t.Parallel() // mostly waiting for child processes
	args := []string{"-self-hosted", "-gatehouse", "/nonexistent/gatehouse",
		"-scenario", "limit,limit-es256", "-n", "300", "-workers", "4"}

	t.Run("table", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), args, &stdout, &stderr)
		lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		if code != exitOK || len(lines) != 3 {
			t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
		}
		if !strings.HasSuffix(lines[0], "× limit") {
			t.Errorf("header %q: no × limit column", lines[0])
		}
		for i, want := range []string{limit.Scenario, limit.ScenarioES256} {
			f := strings.Fields(lines[i+1])
			if last := f[len(f)-1]; f[0] != want || (i == 1) != strings.HasSuffix(last, "×") {
				t.Errorf("row %q: want %s, with a ratio only on the ES256 row", lines[i+1], want)
			}
		}
	})

	t.Run("json", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), append(args, "-json"), &stdout, &stderr)
		sums := decode(t, stdout.Bytes())
		if code != exitOK || len(sums) != 2 {
			t.Fatalf("exit %d, %d summaries; stderr:\n%s", code, len(sums), stderr.String())
		}
		for i, s := range sums {
			if s.OK != 300 || s.Failed() != 0 || s.PeakRSS < 1<<20 || (s.LimitRatio > 0) != (i == 1) {
				t.Errorf("%s: ok %d, failures %v, peak RSS %d, ratio %v", s.Scenario, s.OK, s.Failures, s.PeakRSS, s.LimitRatio)
			}
		}
		if !strings.Contains(stdout.String(), `"limit_ratio"`) {
			t.Errorf("no limit_ratio in the JSON:\n%s", stdout.String())
		}
	})
}

// TestServeLimitWritesAddress: -serve-limit listens on loopback, writes
// its address to the file and stops cleanly when its context ends.
func TestServeLimitWritesAddress(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	proc, err := limit.Start(t.Context(), limit.ProcessOptions{Exe: mustExecutable(t), Dir: dir, Alg: limit.ES256, ClientID: "c", Secret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(proc.URL, "http://127.0.0.1:") {
		t.Errorf("URL %q", proc.URL)
	}
	if err := proc.Stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

func mustExecutable(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}
