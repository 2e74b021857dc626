package ldapstore_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Timings of the failover tests. The operation timeout is longer than a
// request's deadline, as in production (ldap.timeout 5s, requests 5s),
// so that a caller could only be saved by the pool noticing the hang.
const (
	failoverTimeout      = 3 * time.Second
	failoverProbeTimeout = 500 * time.Millisecond
	requestDeadline      = 2500 * time.Millisecond
	// lateMargin is how far past its deadline a call may return: the
	// scheduling slack of a loaded machine, not a hidden timeout.
	lateMargin = time.Second
)

// failoverPool is a pool on urls, in order, with the failover timings and
// its log in logs.
func failoverPool(t *testing.T, admin *ldaptest.Slapd, logs *logBuffer, size int, urls ...string) *ldapstore.Pool {
	t.Helper()
	return newPool(t, ldapstore.PoolConfig{URLs: urls, BindDN: admin.AdminDN, BindPassword: admin.AdminPassword,
		Timeout: failoverTimeout, Size: size, ProbeTimeout: failoverProbeTimeout, ProbeInterval: 100 * time.Millisecond}, logs)
}

func newPool(t *testing.T, cfg ldapstore.PoolConfig, logs *logBuffer) *ldapstore.Pool {
	t.Helper()
	p, err := ldapstore.NewPool(cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// devServers are two slapds holding the dev tree with the same admin
// password, so that one pool binds to either.
func devServers(t *testing.T) (a, b *ldaptest.Slapd) {
	t.Helper()
	a = ldaptest.New(t, ldaptest.Options{LDIF: []string{devDirectory}})
	b = ldaptest.New(t, ldaptest.Options{LDIF: []string{devDirectory}})
	add(t, b.Conn(t), markerDN, [][2]string{{"objectClass", "organizationalUnit"}, {"ou", "second"}})
	req := ldap.NewModifyRequest("olcDatabase={1}mdb,cn=config", nil)
	req.Replace("olcRootPW", []string{a.AdminPassword})
	if err := b.ConfigConn(t).Modify(req); err != nil {
		t.Fatalf("set the admin password of the second server: %v", err)
	}
	return a, b
}

// markerDN is an entry only the second server of devServers holds.
const markerDN = "ou=second," + suffix

// serverOf tells on which server of devServers c is: "a" or "b".
func serverOf(c *ldap.Conn) string {
	_, err := c.Search(ldap.NewSearchRequest(markerDN, ldap.ScopeBaseObject, ldap.NeverDerefAliases,
		0, 0, false, "(objectClass=*)", []string{"1.1"}, nil))
	if err == nil {
		return "b"
	}
	return "a"
}

// devUsers is the Users of the dev tree, without groups: people's search
// and bind only.
func devUsers(t *testing.T, pool *ldapstore.Pool) *ldapstore.Users {
	t.Helper()
	u, err := ldapstore.NewUsers(pool, ldapstore.UsersConfig{
		BaseDN:           "ou=people," + suffix,
		Filter:           "(&(objectClass=inetOrgPerson)(uid={username}))",
		SubjectAttribute: "entryUUID",
		Claims:           map[string]string{"preferred_username": "uid"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	return u
}

// warm fills the pool with n connections, all in use at once so that none
// is reused, and returns them idle.
func warm(t *testing.T, p *ldapstore.Pool, n int) {
	t.Helper()
	var all sync.WaitGroup
	all.Add(n)
	errs := make(chan error, n)
	for range n {
		go func() {
			errs <- p.Do(t.Context(), func(*ldap.Conn) error {
				all.Done()
				all.Wait()
				return nil
			})
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("warm the pool: %v", err)
		}
	}
}

// waitState polls the pool until server url is up (or down), failing the
// test after a generous bound.
func waitState(t *testing.T, p *ldapstore.Pool, url string, up bool) ldapstore.ServerState {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for {
		for _, s := range p.Servers() {
			if s.URL == url && s.Up == up {
				return s
			}
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("server %s not up=%v after 10s: %+v", url, up, p.Servers())
		}
	}
}

type loginResult struct {
	outcome oauth.LoginOutcome
	err     error
	took    time.Duration
}

func loginWithin(u *ldapstore.Users, deadline time.Duration) loginResult {
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	_, outcome, err := u.Login(ctx, "alice", "alice-password")
	return loginResult{outcome: outcome, err: err, took: time.Since(start)}
}

// TestPoolHungPrimary: a directory that stops answering without closing
// its connections (SIGSTOP) is found out while callers still wait; they
// are answered by the second server within their deadline, not at the
// end of the operation timeout; people's binds fail over too; the server
// comes back when it answers again.
func TestPoolHungPrimary(t *testing.T) {
	t.Parallel()
	a, b := devServers(t)
	logs := &logBuffer{}
	pool := failoverPool(t, a, logs, 8, a.URL, b.URL)
	users := devUsers(t, pool)
	warm(t, pool, 8)
	if r := loginWithin(users, requestDeadline); r.err != nil || r.outcome != oauth.LoginOK {
		t.Fatalf("login before the hang: %v, %v", r.outcome, r.err) // warms the binds on a too
	}
	if err := a.Pause(); err != nil {
		t.Fatal(err)
	}

	const callers = 32
	results := make(chan loginResult, callers)
	for range callers {
		go func() { results <- loginWithin(users, requestDeadline) }()
	}
	ok := 0
	for range callers {
		r := <-results
		switch {
		case r.took > requestDeadline+lateMargin:
			t.Errorf("a login took %v, past its deadline of %v", r.took, requestDeadline)
		case r.err == nil && r.outcome == oauth.LoginOK:
			ok++
		case !errors.Is(r.err, ldapstore.ErrUnavailable):
			t.Errorf("login = %v, %v; want success or ErrUnavailable", r.outcome, r.err)
		}
	}
	// Most callers are served by b: those that held a connection to a
	// get theirs closed when the hang is found, and retry on b.
	t.Logf("%d of %d logins succeeded", ok, callers)
	if ok < callers*3/4 {
		t.Errorf("%d of %d logins succeeded while the first server hung, want most", ok, callers)
	}
	down := waitState(t, pool, a.URL, false)
	if down.LastError == "" || down.Failures < 1 {
		t.Errorf("state of the hung server: %+v", down)
	}
	if err := pool.Ready(); err != nil {
		t.Errorf("Ready with the second server up: %v", err)
	}
	if r := loginWithin(users, requestDeadline); r.err != nil || r.outcome != oauth.LoginOK {
		t.Errorf("login after the hang was found: %v, %v", r.outcome, r.err)
	}
	if n := strings.Count(logs.String(), "directory server down"); n != 1 {
		t.Errorf("logged %d down lines, want one for the state change:\n%s", n, logs)
	}

	if err := a.Resume(); err != nil {
		t.Fatal(err)
	}
	waitState(t, pool, a.URL, true)
	if !strings.Contains(logs.String(), "directory server up again") {
		t.Errorf("no line for the server coming back:\n%s", logs)
	}
}

// TestPoolBindsFailOver: the connections for people's binds are not
// pinned to a hung first server (issue 11). Once the service connections
// have found the hang, a login with the right password succeeds on the
// second server sooner than the bind connections could find it for
// themselves (two probe timeouts): they share what the pool knows.
func TestPoolBindsFailOver(t *testing.T) {
	t.Parallel()
	a, b := devServers(t)
	const probeTimeout = time.Second
	pool := newPool(t, ldapstore.PoolConfig{URLs: []string{a.URL, b.URL}, BindDN: a.AdminDN,
		BindPassword: a.AdminPassword, Timeout: failoverTimeout, Size: 2, ProbeTimeout: probeTimeout}, &logBuffer{})
	users := devUsers(t, pool)
	if r := loginWithin(users, requestDeadline); r.err != nil || r.outcome != oauth.LoginOK {
		t.Fatalf("login before the hang: %v, %v", r.outcome, r.err) // a binding connection to a
	}
	if err := a.Pause(); err != nil {
		t.Fatal(err)
	}
	if err := pool.Ping(t.Context()); err != nil {
		t.Fatalf("ping with the first server hung: %v", err)
	}
	waitState(t, pool, a.URL, false)
	for i := range 3 {
		r := loginWithin(users, probeTimeout*3/2)
		if r.err != nil || r.outcome != oauth.LoginOK {
			t.Errorf("login %d with the first server hung: %v, %v after %v", i, r.outcome, r.err, r.took)
		}
	}
}

// TestPoolAllHung: with every server hung a call ends with ErrUnavailable
// within its deadline, and once the pool knows, at once.
func TestPoolAllHung(t *testing.T) {
	t.Parallel()
	a, b := devServers(t)
	pool := failoverPool(t, a, &logBuffer{}, 2, a.URL, b.URL)
	if err := pool.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*ldaptest.Slapd{a, b} {
		if err := s.Pause(); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), requestDeadline)
	defer cancel()
	start := time.Now()
	err := pool.Ping(ctx)
	if took := time.Since(start); !errors.Is(err, ldapstore.ErrUnavailable) || took > requestDeadline+lateMargin {
		t.Fatalf("ping with every server hung = %v after %v, want ErrUnavailable within %v", err, took, requestDeadline)
	}
	waitState(t, pool, a.URL, false)
	waitState(t, pool, b.URL, false)

	// Known down: the pool fails before the caller's deadline rather than
	// wait on a hung server.
	ctx, cancel = context.WithTimeout(t.Context(), requestDeadline)
	defer cancel()
	err = pool.Ping(ctx)
	if !errors.Is(err, ldapstore.ErrUnavailable) || ctx.Err() != nil {
		t.Fatalf("ping with every server known down = %v (ctx %v), want ErrUnavailable at once", err, ctx.Err())
	}
	ready := pool.Ready()
	for _, url := range []string{a.URL, b.URL} {
		if ready == nil || !strings.Contains(ready.Error(), url) || !strings.Contains(err.Error(), url) {
			t.Errorf("Ready = %v, Ping = %v; want both to name %s", ready, err, url)
		}
	}
}

// TestPoolDeadServerReturns: a server that refused connections is tried
// again by a request after a short backoff, without waiting for a probe.
func TestPoolDeadServerReturns(t *testing.T) {
	t.Parallel()
	a := ldaptest.New(t, ldaptest.Options{})
	p, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: []string{a.URL}, BindDN: a.AdminDN,
		BindPassword: a.AdminPassword, Timeout: failoverTimeout, Size: 2,
		ProbeInterval: time.Hour, UpProbeInterval: -1}, nil) // only the trial can see it back
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	if err := p.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second fails at once: the server is known down
		if err := p.Ping(t.Context()); !errors.Is(err, ldapstore.ErrUnavailable) {
			t.Fatalf("ping with the server stopped = %v, want ErrUnavailable", err)
		}
	}
	if err := a.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for err := p.Ping(t.Context()); err != nil; err = p.Ping(t.Context()) {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("still %v 10s after the server came back", err)
		}
		<-tick.C
	}
	if s := p.Servers()[0]; !s.Up || s.Failures != 0 {
		t.Errorf("state after the trial: %+v", s)
	}
}

// TestPoolWritesAreNotRetried: Do runs fn once even when it meets an
// outage, for a write whose answer was lost may have been applied.
func TestPoolWritesAreNotRetried(t *testing.T) {
	t.Parallel()
	a, b := devServers(t)
	pool := failoverPool(t, a, &logBuffer{}, 1, a.URL, b.URL)
	for _, tc := range []struct {
		name string
		do   func(context.Context, func(*ldap.Conn) error) error
		runs int
	}{
		{name: "Do", do: pool.Do, runs: 1},
		{name: "DoIdempotent", do: pool.DoIdempotent, runs: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var urls []string
			err := tc.do(t.Context(), func(c *ldap.Conn) error {
				urls = append(urls, serverOf(c))
				if len(urls) == 1 {
					_ = c.Close()
					return ldap.NewError(ldap.ErrorNetwork, errors.New("connection lost"))
				}
				return nil
			})
			if len(urls) != tc.runs {
				t.Fatalf("fn ran %d times (%v), want %d", len(urls), urls, tc.runs)
			}
			if tc.runs == 1 && !errors.Is(err, ldapstore.ErrUnavailable) {
				t.Errorf("error = %v, want ErrUnavailable", err)
			}
			if tc.runs == 2 && (err != nil || urls[0] == urls[1]) {
				t.Errorf("retry: err = %v on %v, want success on the other server", err, urls)
			}
		})
		waitState(t, pool, a.URL, true) // the closed connection took a down for a moment
	}
}
