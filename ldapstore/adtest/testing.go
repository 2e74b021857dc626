package adtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

// New starts a DC for one test and stops it when the test ends. Each call
// starts its own DC (about 1.5 s after the first provisioning).
//
// A DC that cannot start skips the test with the reason (Samba missing,
// not root, ...), except when CI=true: there it fails, so that a CI
// machine cannot silently skip every Active Directory test.
func New(t testing.TB) *DC {
	t.Helper()
	d, err := Start(t.Context())
	skipOrFail(t, err)
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return d
}

func skipOrFail(t testing.TB, err error) {
	t.Helper()
	switch {
	case err == nil:
	case os.Getenv("CI") == "true":
		t.Fatal(err)
	case errors.Is(err, ErrNotInstalled):
		t.Skipf("%v; install the Debian packages %s as root (scripts/test-deps.sh)", err, DebianPackages)
	default:
		t.Skipf("%v (set CI=true to fail instead)", err)
	}
}

// shared is the one DC of a test binary, started by the first Shared call
// and stopped by Main when the tests are done.
var shared struct {
	sync.Mutex
	main    bool // Main runs the tests, so it will stop the DC
	started bool // Start was tried; err holds its failure
	dc      *DC
	err     error
}

// Main runs the tests of a package that uses Shared and then stops the
// shared DC, if one was started. Call it from TestMain:
//
//	func TestMain(m *testing.M) { adtest.Main(m) }
func Main(m *testing.M) {
	shared.Lock()
	shared.main = true
	shared.Unlock()
	code := m.Run()
	if err := closeShared(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = max(code, 1)
	}
	os.Exit(code)
}

func closeShared() error {
	shared.Lock()
	defer shared.Unlock()
	if shared.dc == nil {
		return nil
	}
	return shared.dc.Close()
}

// Shared returns the DC shared by all tests of the package, starting it
// on first use; tests must not change what others rely on (the seeded
// entries), and should add what they need under names of their own. It
// needs TestMain to call Main, which stops the DC when the tests are done;
// without it the test fails, since nothing else would remove the DC.
// A DC that cannot start skips or fails each test as New does.
func Shared(t testing.TB) *DC {
	t.Helper()
	shared.Lock()
	if !shared.main {
		shared.Unlock()
		t.Fatal("adtest.Shared needs TestMain to call adtest.Main(m), which stops the shared DC")
	}
	if !shared.started {
		shared.started = true
		shared.dc, shared.err = Start(context.Background())
	}
	d, err := shared.dc, shared.err
	shared.Unlock()
	skipOrFail(t, err)
	return d
}

// Conn returns a connection to URL bound as Administrator, closed when
// the test ends.
func (d *DC) Conn(t testing.TB) *ldap.Conn {
	t.Helper()
	conn, err := d.Dial()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() }) // nothing left to tell the test
	return conn
}
