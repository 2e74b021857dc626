package dist

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// repoFile names a file relative to the repository root (this package is
// internal/dist).
func repoFile(t *testing.T, rel string) string {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// needTool finds a program; without it the test is skipped, except under
// CI=true, where a missing tool is a broken machine.
func needTool(t *testing.T, name, why string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed (%s)", name, why)
	}
	t.Skipf("%s is not installed (%s)", name, why)
	return ""
}
