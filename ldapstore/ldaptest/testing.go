package ldaptest

import (
	"crypto/rand"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

// New starts a private slapd for one test and stops it when the test ends.
//
// Without slapd it skips the test, naming the packages to install, except
// when CI=true: there a missing server is a broken machine, not a choice.
func New(t testing.TB, opts Options) *Slapd {
	t.Helper()
	s, err := StartSlapd(t.Context(), opts)
	switch {
	case errors.Is(err, ErrNotInstalled) && !inCI():
		t.Skipf("%v; install the Debian packages %s (scripts/test-deps.sh)", err, DebianPackages)
	case err != nil:
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func inCI() bool { return os.Getenv("CI") == "true" }

// Conn returns a connection bound as the database admin, closed when the
// test ends.
func (s *Slapd) Conn(t testing.TB) *ldap.Conn {
	t.Helper()
	return closeOnCleanup(t, s.Dial)
}

// ConfigConn returns a connection bound as the cn=config root DN, closed
// when the test ends.
func (s *Slapd) ConfigConn(t testing.TB) *ldap.Conn {
	t.Helper()
	return closeOnCleanup(t, s.DialConfig)
}

func closeOnCleanup(t testing.TB, dial func() (*ldap.Conn, error)) *ldap.Conn {
	t.Helper()
	conn, err := dial()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() }) // nothing left to tell the test
	return conn
}

// Subtree creates an organizational unit under parentDN that belongs to
// the calling test alone and returns its DN. Its name carries the test's
// name, for reading server dumps, and a random part, so tests sharing a
// server, or one test calling it twice, never collide. Subtrees are not
// removed: the server is thrown away instead.
func Subtree(t testing.TB, conn *ldap.Conn, parentDN string) string {
	t.Helper()
	name := subtreeName(t.Name())
	dn := "ou=" + name + "," + parentDN
	req := ldap.NewAddRequest(dn, nil)
	req.Attribute("objectClass", []string{"organizationalUnit"})
	req.Attribute("ou", []string{name})
	if err := conn.Add(req); err != nil {
		t.Fatalf("ldaptest: create subtree %s: %v", dn, err)
	}
	return dn
}

// maxSubtreeLabel keeps DNs readable for tests with long subtest names.
const maxSubtreeLabel = 40

// subtreeName turns a test name into an RDN value that needs no escaping
// (letters, digits and dashes) and appends a random suffix.
func subtreeName(testName string) string {
	label := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, testName)
	if len(label) > maxSubtreeLabel {
		label = label[:maxSubtreeLabel]
	}
	return label + "-" + strings.ToLower(rand.Text()[:10])
}
