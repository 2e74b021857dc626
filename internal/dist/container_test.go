package dist

import (
	"archive/tar"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestContainerImage builds the Containerfile with podman and checks the
// image. It cannot pull from a registry here, so the builder stage runs on
// a local image made of this machine's Go toolchain, with the modules
// vendored into the context; RUN steps use chroot isolation, because crun
// may not set rlimits in a sandbox. Where it cannot build, it says why;
// TestShippedContainerfileLintsClean checks the file either way.
func TestContainerImage(t *testing.T) {
	podman, err := exec.LookPath("podman")
	if err != nil {
		t.Skip("podman is not installed (Debian package podman); the Containerfile is linted instead")
	}
	if !fullCheck() {
		t.Skip("building the image compiles gatehouse in an empty Go cache (minutes): run with GATEHOUSE_DIST_FULL=1 (make dist-check); the Containerfile is linted instead")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the builder image is made from this machine's Linux toolchain")
	}
	if out, err := exec.Command(podman, "info").CombinedOutput(); err != nil {
		t.Skipf("podman cannot run here: %v: %s", err, lastLine(out))
	}
	tag := fmt.Sprintf("localhost/gatehouse-disttest-%d", os.Getpid())
	builder := importBuilder(t, podman, tag+"-go:1")
	src := snapshot(t, readSources(t))
	vendor := exec.Command("go", "mod", "vendor")
	vendor.Dir, vendor.Env = src, append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off")
	if out, err := vendor.CombinedOutput(); err != nil {
		t.Fatalf("go mod vendor: %v\n%s", err, out)
	}
	image := tag + ":1"
	podmanRun(t, podman, "build", "--isolation=chroot", "--pull=never", "--format=docker", "--layers=false",
		"--build-arg", "GO_IMAGE="+builder, "--build-arg", "VERSION="+testVersion,
		"-t", image, "-f", "Containerfile", src)
	t.Cleanup(func() { _ = exec.Command(podman, "rmi", "-f", image).Run() })
	checkImageConfig(t, podman, image)
	checkImageRuns(t, podman, image, tag+"-run:1")
}

// importBuilder makes a builder image from GOROOT, /bin/sh with its shared
// libraries, and the CA bundle, standing in for the golang image.
func importBuilder(t *testing.T, podman, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	goroot := strings.TrimSpace(string(out))
	files := map[string]string{"/usr/local/go": goroot, "/etc/ssl/certs/ca-certificates.crt": "/etc/ssl/certs/ca-certificates.crt"}
	for _, prog := range []string{"/bin/sh", "/bin/mkdir"} { // what the RUN step calls
		real, err := filepath.EvalSymlinks(prog)
		if err != nil {
			t.Skipf("no %s for the builder image: %v", prog, err)
		}
		files[prog] = real
		addLibraries(t, real, files)
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeRootfs(pw, files)) }()
	cmd := exec.Command(podman, "import",
		"--change", "ENV PATH=/usr/local/go/bin:/bin",
		"--change", "ENV HOME=/root",
		"--change", "ENV GOTOOLCHAIN=local",
		"--change", "ENV GOPATH=/go",
		"-", name)
	cmd.Stdin = pr
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("podman import: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(podman, "rmi", "-f", name).Run() })
	return name
}

// addLibraries adds the shared libraries a program needs, transitively.
func addLibraries(t *testing.T, path string, files map[string]string) {
	t.Helper()
	for _, lib := range sharedLibraries(t, path) {
		if _, seen := files[lib]; !seen {
			files[lib] = lib
			addLibraries(t, lib, files)
		}
	}
}

// sharedLibraries: the ELF interpreter and needed libraries of a program.
func sharedLibraries(t *testing.T, path string) []string {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var libs []string
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			interp := make([]byte, p.Filesz)
			if _, err := p.ReadAt(interp, 0); err != nil {
				t.Fatal(err)
			}
			libs = append(libs, strings.TrimRight(string(interp), "\x00"))
		}
	}
	needed, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	for _, lib := range needed {
		found := false
		for _, dir := range []string{"/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/lib64", "/lib", "/usr/lib"} {
			if _, err := os.Stat(filepath.Join(dir, lib)); err == nil {
				libs, found = append(libs, filepath.Join(dir, lib)), true
				break
			}
		}
		if !found {
			t.Skipf("cannot find %s, needed by %s, for the builder image", lib, path)
		}
	}
	return libs
}

// writeRootfs writes a tar of the host paths (dst → src), symlinks
// followed, plus an empty /tmp and /root.
func writeRootfs(w io.Writer, files map[string]string) error {
	tw := tar.NewWriter(w)
	for _, dir := range []string{"tmp/", "root/"} {
		if err := tw.WriteHeader(&tar.Header{Name: dir, Typeflag: tar.TypeDir, Mode: 0o1777}); err != nil {
			return err
		}
	}
	for dst, src := range files {
		err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			info, err := os.Stat(path)
			if err != nil || info.IsDir() {
				return err
			}
			h := &tar.Header{Name: strings.TrimPrefix(dst+strings.TrimPrefix(path, src), "/"),
				Mode: int64(info.Mode().Perm()), Size: info.Size(), Typeflag: tar.TypeReg}
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(tw, f)
			return err
		})
		if err != nil {
			return err
		}
	}
	return tw.Close()
}

// checkImageConfig: non-root numeric user, the health check, the port.
func checkImageConfig(t *testing.T, podman, image string) {
	t.Helper()
	var inspect []struct {
		Config struct {
			User         string
			Entrypoint   []string
			ExposedPorts map[string]any
		}
		Healthcheck struct{ Test []string } // podman keeps it beside Config
	}
	if err := json.Unmarshal(podmanRun(t, podman, "image", "inspect", "--format=json", image), &inspect); err != nil || len(inspect) != 1 {
		t.Fatalf("podman image inspect: %v", err)
	}
	c := inspect[0].Config
	if c.User != "65532:65532" {
		t.Errorf("User %q, want 65532:65532", c.User)
	}
	if hc := inspect[0].Healthcheck.Test; strings.Join(hc, " ") != "CMD /gatehouse healthcheck" {
		t.Errorf("Healthcheck %q", hc)
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("ExposedPorts %v, want 8080/tcp", c.ExposedPorts)
	}
	if strings.Join(c.Entrypoint, " ") != "/gatehouse" {
		t.Errorf("Entrypoint %q", c.Entrypoint)
	}
}

// checkImageRuns runs the binary inside the image, as its user, in a
// derived build (podman run needs rlimits a sandbox may refuse): it must
// start on scratch (static) and carry the version; the CA bundle must be there.
func checkImageRuns(t *testing.T, podman, image, derived string) {
	t.Helper()
	dir := t.TempDir()
	file := fmt.Sprintf("FROM %s\nRUN [\"/gatehouse\", \"version\"]\nCOPY --from=%s /etc/ssl/certs/ca-certificates.crt /tmp/ca.crt\n", image, image)
	if err := os.WriteFile(filepath.Join(dir, "Containerfile"), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	out := podmanRun(t, podman, "build", "--isolation=chroot", "--pull=never", "--layers=false", "-t", derived, dir)
	t.Cleanup(func() { _ = exec.Command(podman, "rmi", "-f", derived).Run() })
	if !strings.Contains(string(out), "gatehouse "+testVersion+" ") {
		t.Errorf("gatehouse version inside the image did not print %s:\n%s", testVersion, out)
	}
}

func podmanRun(t *testing.T, podman string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(podman, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("podman %s: %v\n%s", args[0], err, out)
	}
	return out
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}
