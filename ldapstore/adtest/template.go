package adtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// templateVersion changes whenever what goes into a template changes, so
// that a cached template from an older version of this package is not used.
const templateVersion = "1"

// provisionTimeout bounds building a template: 7–12 s on a healthy
// machine, more on a loaded CI runner.
const provisionTimeout = 2 * time.Minute

// readyMarker is written last into a finished template.
const readyMarker = "adtest-template-ready"

// template returns the directory of a provisioned domain with the test
// password policy, building it on first use. It is cached under
// os.TempDir() across processes (keyed by templateVersion, the Samba
// version and the user), because provisioning costs 7–12 s and every
// test binary that uses this package would otherwise pay it. Within a
// process the answer, error included, is computed once.
var template = sync.OnceValues(func() (string, error) {
	tools, err := findTools()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), provisionTimeout)
	defer cancel()
	dir, err := ensureTemplate(ctx, tools)
	if err != nil && !errors.Is(err, ErrNotInstalled) {
		err = fmt.Errorf("adtest: template domain: %w", err)
	}
	return dir, err
})

func ensureTemplate(ctx context.Context, t tools) (string, error) {
	key, err := templateKey(ctx, t)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(os.TempDir(), "gatehouse-adtest-"+key)
	unlock, err := lockFile(ctx, dir+".lock", syscall.LOCK_EX)
	if err != nil {
		return "", err
	}
	defer unlock()
	if fresh(dir) {
		return dir, nil
	}
	if err := buildTemplate(ctx, t, dir); err != nil {
		return "", fmt.Errorf("provision: %w", err)
	}
	return dir, nil
}

// templateMaxAge is how long a template is used before it is built anew:
// cleaners of /tmp (systemd-tmpfiles after ten days) may have removed
// some of its files, and a daily rebuild costs little.
const templateMaxAge = 24 * time.Hour

// fresh reports whether dir holds a complete template younger than
// templateMaxAge.
func fresh(dir string) bool {
	info, err := os.Stat(filepath.Join(dir, readyMarker))
	return err == nil && time.Since(info.ModTime()) < templateMaxAge
}

// copyTemplate copies the template to dst under a shared lock, so that
// another process cannot rebuild the template during the copy. cp -a keeps
// the database files as they are; it takes about 0.1 s.
func copyTemplate(ctx context.Context, tmpl, dst string) error {
	unlock, err := lockFile(ctx, tmpl+".lock", syscall.LOCK_SH)
	if err != nil {
		return err
	}
	defer unlock()
	if out, err := exec.CommandContext(ctx, "cp", "-a", tmpl+"/.", dst).CombinedOutput(); err != nil {
		return fmt.Errorf("copy template: %w: %s", err, out)
	}
	return nil
}

// templateKey names the template after what determines its content.
func templateKey(ctx context.Context, t tools) (string, error) {
	version, err := exec.CommandContext(ctx, t.samba, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("%w: %s --version: %w", ErrNotInstalled, t.samba, err)
	}
	sum := sha256.Sum256([]byte(templateVersion + "\x00" + string(version) + "\x00" + strconv.Itoa(os.Geteuid())))
	return hex.EncodeToString(sum[:6]), nil
}

// buildTemplate provisions into a scratch directory and renames it to dir
// when complete, so a crash never leaves a half-built template behind. The
// caller holds the lock, so scratch directories of earlier crashed builds
// are abandoned and removed.
func buildTemplate(ctx context.Context, t tools, dir string) error {
	stale, _ := filepath.Glob(dir + ".build-*") // the pattern is valid
	for _, s := range stale {
		_ = os.RemoveAll(s) // best effort: a leftover costs only disk
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	scratch, err := os.MkdirTemp(filepath.Dir(dir), filepath.Base(dir)+".build-")
	if err != nil {
		return err
	}
	if err := provision(ctx, t, scratch); err != nil {
		return errors.Join(err, os.RemoveAll(scratch))
	}
	if err := os.WriteFile(filepath.Join(scratch, readyMarker), nil, 0o600); err != nil {
		return errors.Join(err, os.RemoveAll(scratch))
	}
	return os.Rename(scratch, dir)
}

// provision creates the domain and sets a password policy that suits tests:
// no complexity or length rules, no ages (so a person may change a password
// twice in a row and passwords never expire by themselves), and lockout
// after three wrong passwords so that lockout can be tested.
func provision(ctx context.Context, t tools, dir string) error {
	if err := run(ctx, t.sambaTool, "domain", "provision",
		"--realm="+Realm, "--domain="+Domain, "--host-name="+HostName,
		"--server-role=dc", "--dns-backend=NONE",
		"--adminpass="+AdminPassword, "--targetdir="+dir); err != nil {
		return err
	}
	// The generated smb.conf names /run and /var/log; the offline tool
	// below needs one that keeps to dir.
	conf, err := writeConfig(dir, "127.0.0.1")
	if err != nil {
		return err
	}
	return run(ctx, t.sambaTool, "domain", "passwordsettings", "set",
		"-s", conf, "-H", samPath(dir),
		"--complexity=off", "--min-pwd-age=0", "--max-pwd-age=0",
		"--min-pwd-length=1", "--history-length=0", "--account-lockout-threshold=3")
}

// run runs a Samba tool and reports its output when it fails.
func run(ctx context.Context, path string, args ...string) error {
	out, err := exec.CommandContext(ctx, path, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(path), args[0], err, out)
	}
	return nil
}

// lockFile locks path, exclusively (syscall.LOCK_EX) or shared
// (syscall.LOCK_SH), waiting for it until ctx ends. The lock dies with the
// process, so a crashed holder never blocks others.
func lockFile(ctx context.Context, path string, how int) (unlock func(), err error) {
	for {
		unlock, ok, err := tryLockFile(path, how)
		if err != nil || ok {
			return unlock, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("lock %s: %w", path, ctx.Err())
		case <-time.After(100 * time.Millisecond): // another process is provisioning
		}
	}
}

// tryLockFile locks path if nobody holds a conflicting lock.
func tryLockFile(path string, how int) (unlock func(), ok bool, err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, false, err
	}
	err = syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
	switch {
	case err == nil:
		return func() { _ = f.Close() }, true, nil // closing releases the lock
	case errors.Is(err, syscall.EWOULDBLOCK):
		return nil, false, f.Close()
	default:
		return nil, false, errors.Join(fmt.Errorf("lock %s: %w", path, err), f.Close())
	}
}

func samPath(dir string) string { return filepath.Join(dir, "private", "sam.ldb") }
