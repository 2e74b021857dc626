// Package secrettest reads the secret fixtures kept in provider/secrets/
// testdata — hashes made by htpasswd and the argon2 command-line tool, each
// beside the plain secret it was made from — for tests in any package.
package secrettest

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Fixture reads testdata file name: a "# plain: <secret>" line and one
// hash line, optionally "user:" first as htpasswd writes it.
func Fixture(t testing.TB, name string) (plain, hash string) {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	data, err := os.ReadFile(filepath.Join(filepath.Dir(here), "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if p, ok := strings.CutPrefix(line, "# plain: "); ok {
			plain = p
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if _, h, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "$") {
			line = h
		}
		hash = line
	}
	if plain == "" || hash == "" {
		t.Fatalf("%s: want a plain line and a hash line", name)
	}
	return plain, hash
}
