package ldapstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/internal/faultproxy"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// TestCutConnectionsAreOutages: connections to the first server are reset
// again and again (a proxy cuts them) while reads go on. Every failure
// must be an outage (ErrUnavailable, so 503 and a retry on the next
// server), never a plain error that the provider would answer with a 500 —
// go-ldap reports a reset while writing or reading as text only.
func TestCutConnectionsAreOutages(t *testing.T) {
	a := ldaptest.New(t, ldaptest.Options{})
	b := ldaptest.New(t, ldaptest.Options{})
	px, err := faultproxy.Start(a.URL[len("ldap://"):])
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()
	pool, err := NewPool(PoolConfig{URLs: []string{"ldap://" + px.Addr(), b.URL},
		BindDN: a.AdminDN, BindPassword: a.AdminPassword, Size: 8, Timeout: time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	cuts := time.NewTicker(100 * time.Millisecond)
	defer cuts.Stop()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-cuts.C:
				px.Cut()
			}
		}
	}()
	ok, plain := 0, map[string]int{}
	for ctx.Err() == nil {
		err := pool.DoIdempotent(context.Background(), func(c *ldap.Conn) error {
			_, err := c.Search(ldap.NewSearchRequest(a.BaseDN, ldap.ScopeBaseObject, ldap.NeverDerefAliases,
				0, 0, false, "(objectClass=*)", []string{"1.1"}, nil))
			return err
		})
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrUnavailable):
			plain[err.Error()]++
		}
	}
	for text, n := range plain {
		t.Errorf("%d× not an outage: %s", n, text)
	}
	if ok == 0 {
		t.Error("no read succeeded, though the second server was up throughout")
	}
}

// TestPoolStats: the pool tells how many connections are lent out and how
// many callers wait for one.
func TestPoolStats(t *testing.T) {
	s := ldaptest.New(t, ldaptest.Options{})
	pool, err := NewPool(PoolConfig{URLs: []string{s.URL}, BindDN: s.AdminDN, BindPassword: s.AdminPassword, Size: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	holding, release := make(chan struct{}), make(chan struct{})
	go func() {
		_ = pool.Do(context.Background(), func(*ldap.Conn) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	waited := make(chan error, 1)
	go func() { waited <- pool.Do(context.Background(), func(*ldap.Conn) error { return nil }) }()
	deadline := time.Now().Add(10 * time.Second)
	for pool.Stats().Waiting != 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // polling a counter the pool sets
	}
	if got := pool.Stats(); got != (PoolStats{InUse: 1, Size: 1, Waiting: 1}) {
		t.Errorf("while one holds the only connection and one waits: %+v", got)
	}
	close(release)
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	if got := pool.Stats(); got.InUse != 0 || got.Waiting != 0 {
		t.Errorf("after both: %+v", got)
	}
}
