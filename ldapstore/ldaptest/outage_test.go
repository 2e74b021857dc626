package ldaptest

import (
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// adminBind dials url and binds as the admin, waiting at most timeout for
// each step.
func adminBind(s *Slapd, timeout time.Duration) error {
	conn, err := ldap.DialURL(s.URL, ldap.DialWithDialer(&net.Dialer{Timeout: timeout}))
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	conn.SetTimeout(timeout)
	return conn.Bind(s.AdminDN, s.AdminPassword)
}

func TestPauseResume(t *testing.T) {
	t.Parallel()
	s := New(t, Options{})
	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	// A hung server: the connection is accepted, the bind never answered.
	err := adminBind(s, 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("bind on a paused server = %v, want a timeout", err)
	}
	if err := s.Resume(); err != nil {
		t.Fatal(err)
	}
	if err := adminBind(s, dialTimeout); err != nil {
		t.Fatalf("bind after Resume: %v", err)
	}
}

func TestCloseWhilePaused(t *testing.T) {
	t.Parallel()
	s, err := StartSlapd(t.Context(), Options{})
	if err != nil {
		if errors.Is(err, ErrNotInstalled) && !inCI() {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	proc := s.proc
	if err := s.Close(); err != nil {
		t.Fatalf("Close of a paused server: %v", err)
	}
	if !proc.exited() {
		t.Error("slapd still runs after Close")
	}
}

func TestStopStart(t *testing.T) {
	t.Parallel()
	s := New(t, Options{})
	conn := s.Conn(t)
	dn := "uid=hana," + Subtree(t, conn, "ou=people,"+s.BaseDN)
	addPerson(t, conn, dn, "hana-Secret-1")
	url := s.URL

	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := adminBind(s, dialTimeout); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("bind on a stopped server = %v, want connection refused", err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if s.URL != url {
		t.Errorf("URL after Start = %s, want %s as before", s.URL, url)
	}
	assertBind(t, s, dn, "hana-Secret-1", true)
}
