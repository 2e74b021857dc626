package dist

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The release knobs the test fixes, so that both builds must agree.
const (
	testVersion = "v0.0.0-disttest"
	testEpoch   = 1700000000
)

// fullCheck is set by `make dist-check`: every platform, and the second
// build in an empty Go cache, so that nothing is shared between the two but
// the source. Without it one platform is built, sharing the cache (the link,
// the archives and the SBOM are still made twice).
func fullCheck() bool { return os.Getenv("GATEHOUSE_DIST_FULL") == "1" }

// TestDistIsReproducible copies the source tree twice, to two different
// paths, runs scripts/dist.sh in each, and compares the outputs byte for byte.
func TestDistIsReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds release binaries")
	}
	for _, tool := range []string{"bash", "git", "tar", "gzip", "sha256sum"} {
		needTool(t, tool, "scripts/dist.sh and the source snapshot use it")
	}
	platforms := "linux/amd64"
	if fullCheck() {
		platforms = "linux/amd64 linux/arm64 darwin/amd64 darwin/arm64"
	}
	files := readSources(t)
	srcA, srcB := snapshot(t, files), snapshot(t, files)
	a := runDist(t, srcA, platforms, "")
	cache := ""
	if fullCheck() {
		cache = t.TempDir()
	}
	b := runDist(t, srcB, platforms, cache)
	sumsA, sumsB := readFile(t, a, "SHA256SUMS"), readFile(t, b, "SHA256SUMS")
	if !bytes.Equal(sumsA, sumsB) {
		t.Fatalf("two builds differ:\n%s\n--- versus ---\n%s", sumsA, sumsB)
	}
	checkSums(t, a, sumsA)
	for _, p := range strings.Fields(platforms) {
		checkTarball(t, filepath.Join(a, fmt.Sprintf("gatehouse-%s-%s.tar.gz", testVersion, strings.ReplaceAll(p, "/", "-"))), p)
	}
	if unit := readFile(t, a, "gatehouse.service"); !bytes.Equal(unit, readFile(t, repoFile(t, "packaging"), "gatehouse.service")) {
		t.Error("dist/gatehouse.service is not packaging/gatehouse.service")
	}
}

// sourceFile is one file of the tree, read once so that both snapshots
// hold the same bytes even while the work tree is being edited.
type sourceFile struct {
	name string
	mode os.FileMode
	data []byte
}

// readSources reads what a fresh clone plus the work in progress holds:
// tracked and untracked files, without ignored ones and local output.
func readSources(t *testing.T) []sourceFile {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = repoFile(t, ".")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	var files []sourceFile
	for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		if strings.HasPrefix(f, "dist/") || strings.HasPrefix(f, "vendor/") {
			continue
		}
		path := filepath.Join(cmd.Dir, f)
		info, err := os.Stat(path)
		if os.IsNotExist(err) {
			continue // deleted in the work tree
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, sourceFile{name: f, mode: info.Mode().Perm(), data: data})
	}
	return files
}

// snapshot writes the files into a fresh directory. It has no .git: the
// build then carries no VCS stamp, and edits made meanwhile in the work
// tree cannot make the two builds differ.
func snapshot(t *testing.T, files []sourceFile) string {
	t.Helper()
	dst := t.TempDir()
	for _, f := range files {
		path := filepath.Join(dst, f.name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, f.data, f.mode); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// runDist runs the snapshot's scripts/dist.sh and returns its output
// directory; cache, when set, is the GOCACHE.
func runDist(t *testing.T, src, platforms, cache string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "dist")
	cmd := exec.Command("bash", "scripts/dist.sh")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "DIST_DIR="+out, "DIST_PLATFORMS="+platforms,
		"VERSION="+testVersion, fmt.Sprintf("SOURCE_DATE_EPOCH=%d", testEpoch))
	if cache != "" {
		cmd.Env = append(cmd.Env, "GOCACHE="+cache)
	}
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/dist.sh: %v\n%s", err, msg)
	}
	return out
}

func readFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkSums: SHA256SUMS lists every other file of dist/, correctly.
func checkSums(t *testing.T, dir string, sums []byte) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		sum, name, _ := strings.Cut(line, "  ")
		listed[name] = true
		if got := fmt.Sprintf("%x", sha256.Sum256(readFile(t, dir, name))); got != sum {
			t.Errorf("SHA256SUMS: %s is %s, file is %s", name, sum, got)
		}
	}
	for _, e := range entries {
		if e.Name() != "SHA256SUMS" && !listed[e.Name()] {
			t.Errorf("%s is not in SHA256SUMS", e.Name())
		}
	}
}

// checkTarball: the files the issue names are there, every header carries
// SOURCE_DATE_EPOCH and root ownership, and the binary says its version.
func checkTarball(t *testing.T, path, platform string) {
	t.Helper()
	top := strings.TrimSuffix(filepath.Base(path), ".tar.gz") + "/"
	want := map[string]bool{"gatehouse": false, "README.md": false, "docs/operations.md": false,
		"conf/production.example.yaml": false, "conf/gatehouse.yaml": false,
		"schema/openldap/oauth-client.ldif": false, "schema/opendj/oauth-client.ldif": false,
		"packaging/gatehouse.service": false}
	var binary []byte
	forEachEntry(t, path, func(h *tar.Header, r io.Reader) {
		if !h.ModTime.Equal(time.Unix(testEpoch, 0)) || h.Uid != 0 || h.Gid != 0 || h.Uname != "" {
			t.Errorf("%s: mtime %s uid %d gid %d uname %q", h.Name, h.ModTime, h.Uid, h.Gid, h.Uname)
		}
		name := strings.TrimPrefix(h.Name, top)
		if _, ok := want[name]; ok {
			want[name] = true
		}
		if name == "gatehouse" {
			if h.Mode&0o111 == 0 {
				t.Errorf("gatehouse is not executable: %o", h.Mode)
			}
			var err error
			if binary, err = io.ReadAll(r); err != nil {
				t.Fatal(err)
			}
		}
	})
	for name, found := range want {
		if !found {
			t.Errorf("%s: %s missing", filepath.Base(path), name)
		}
	}
	if platform == runtime.GOOS+"/"+runtime.GOARCH && binary != nil {
		checkVersion(t, binary)
	}
}

func forEachEntry(t *testing.T, path string, fn func(*tar.Header, io.Reader)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if gz.Name != "" || !gz.ModTime.IsZero() {
		t.Errorf("%s: gzip header keeps name %q, time %s", path, gz.Name, gz.ModTime)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		fn(h, tr)
	}
}

// checkVersion runs the shipped binary: static, stamped with the version.
func checkVersion(t *testing.T, binary []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gatehouse")
	if err := os.WriteFile(path, binary, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(path, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("gatehouse version: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "gatehouse "+testVersion+" ") {
		t.Errorf("gatehouse version printed %q, want the version %s", out, testVersion)
	}
}
