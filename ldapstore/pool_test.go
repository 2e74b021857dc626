package ldapstore

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

func poolFor(t *testing.T, s *ldaptest.Slapd, urls ...string) *Pool {
	t.Helper()
	if len(urls) == 0 {
		urls = []string{s.URL}
	}
	p, err := NewPool(PoolConfig{URLs: urls, BindDN: s.AdminDN, BindPassword: s.AdminPassword,
		Timeout: 2 * time.Second, Size: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "ldap://" + addr
}

func TestPoolAgainstOpenLDAP(t *testing.T) {
	s := ldaptest.New(t, ldaptest.Options{})

	t.Run("ping", func(t *testing.T) {
		if err := poolFor(t, s).Ping(t.Context()); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("failover to the second server", func(t *testing.T) {
		p := poolFor(t, s, closedURL(t), s.URL)
		if err := p.Ping(t.Context()); err != nil {
			t.Fatalf("ping with a dead first server: %v", err)
		}
	})

	t.Run("no server answers", func(t *testing.T) {
		err := poolFor(t, s, closedURL(t), closedURL(t)).Ping(t.Context())
		if !errors.Is(err, ErrUnavailable) {
			t.Fatalf("error = %v, want ErrUnavailable", err)
		}
	})

	t.Run("wrong service password", func(t *testing.T) {
		p, err := NewPool(PoolConfig{URLs: []string{s.URL}, BindDN: s.AdminDN, BindPassword: "wrong"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		err = p.Ping(t.Context())
		if !errors.Is(err, ErrUnavailable) || !ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
			t.Fatalf("error = %v, want ErrUnavailable carrying invalidCredentials", err)
		}
	})

	t.Run("an answer about data is not an outage", func(t *testing.T) {
		p := poolFor(t, s)
		err := p.Do(t.Context(), func(c *ldap.Conn) error {
			_, err := c.Search(ldap.NewSearchRequest("ou=absent,"+s.BaseDN, ldap.ScopeBaseObject,
				ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", nil, nil))
			return err
		})
		if errors.Is(err, ErrUnavailable) || !ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
			t.Fatalf("error = %v, want plain noSuchObject", err)
		}
	})

	t.Run("a closed connection is replaced", func(t *testing.T) {
		p := poolFor(t, s)
		if err := p.Do(t.Context(), func(c *ldap.Conn) error { return c.Close() }); err != nil {
			t.Fatal(err)
		}
		if err := p.Ping(t.Context()); err != nil {
			t.Fatalf("ping after the pooled connection closed: %v", err)
		}
	})

	t.Run("at most Size operations at once", func(t *testing.T) {
		p := poolFor(t, s) // Size 2
		held, release := make(chan struct{}), make(chan struct{})
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = p.Do(context.Background(), func(*ldap.Conn) error {
					held <- struct{}{}
					<-release
					return nil
				})
			}()
		}
		<-held
		<-held
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		ran := false
		err := p.Do(ctx, func(*ldap.Conn) error { ran = true; return nil })
		if ran || !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("third operation: ran=%v err=%v, want it to wait and give up", ran, err)
		}
		close(release)
		wg.Wait()
		if err := p.Ping(t.Context()); err != nil {
			t.Errorf("ping after the slots freed: %v", err)
		}
	})

	t.Run("directory stops", func(t *testing.T) {
		other := ldaptest.New(t, ldaptest.Options{})
		p := poolFor(t, other)
		if err := p.Ping(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := other.Close(); err != nil {
			t.Fatal(err)
		}
		if err := p.Ping(t.Context()); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("ping after the server stopped = %v, want ErrUnavailable", err)
		}
	})
}

func TestNewPoolRejectsBadURLs(t *testing.T) {
	tests := []struct {
		name string
		urls []string
	}{
		{name: "none", urls: nil},
		{name: "http scheme", urls: []string{"http://127.0.0.1:389"}},
		{name: "no host", urls: []string{"ldap://"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewPool(PoolConfig{URLs: tc.urls}, nil); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestPoolTLS(t *testing.T) {
	s := ldaptest.New(t, ldaptest.Options{TLS: true})
	tests := []struct {
		name     string
		url      string
		startTLS bool
		caFile   string
		wantErr  bool
	}{
		{name: "ldaps with the CA", url: s.LDAPSURL, caFile: s.CAFile},
		{name: "StartTLS with the CA", url: s.URL, startTLS: true, caFile: s.CAFile},
		{name: "ldaps without trusting the CA", url: s.LDAPSURL, wantErr: true},
		{name: "StartTLS without trusting the CA", url: s.URL, startTLS: true, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPool(PoolConfig{URLs: []string{tc.url}, BindDN: s.AdminDN, BindPassword: s.AdminPassword,
				StartTLS: tc.startTLS, CAFile: tc.caFile, Timeout: 2 * time.Second, Size: 1}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			encrypted := false
			err = p.Do(t.Context(), func(c *ldap.Conn) error {
				_, encrypted = c.TLSConnectionState()
				return nil
			})
			if tc.wantErr {
				if !errors.Is(err, ErrUnavailable) {
					t.Fatalf("error = %v, want ErrUnavailable for an untrusted certificate", err)
				}
				return
			}
			if err != nil || !encrypted {
				t.Fatalf("err = %v, encrypted = %v", err, encrypted)
			}
		})
	}
}

func TestNewPoolRejectsBadCAFile(t *testing.T) {
	path := t.TempDir() + "/ca.pem"
	if err := os.WriteFile(path, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := NewPool(PoolConfig{URLs: []string{"ldaps://127.0.0.1:636"}, CAFile: path}, nil)
	if err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("error = %v", err)
	}
}
