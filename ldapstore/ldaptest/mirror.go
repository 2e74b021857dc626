package ldaptest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/internal/faultproxy"
)

// syncWait bounds how long the wait helpers poll for replication. On
// loopback a change reaches the peer within milliseconds; the margin is
// for a loaded machine, and for a consumer retrying its link (retry="1 +").
const syncWait = 15 * time.Second

// mirrorConfig makes a server one provider of a multi-provider
// ("mirror mode") pair: syncprov serves its changes, and a syncrepl
// consumer (refreshAndPersist) pulls the peer's.
type mirrorConfig struct {
	ServerID int    // olcServerID: distinct per provider, it tags each change's entryCSN
	RID      string // the consumer's replica ID, three digits
	Provider string // the peer's ldap:// URL, through the pair's link proxy
}

// MirrorPair is two OpenLDAP providers replicating the whole suffix to
// each other (syncprov + syncrepl refreshAndPersist, olcMultiProvider
// TRUE, server IDs 1 and 2), as operators run OpenLDAP for availability.
// Both accept writes. They share the admin DN and password, so that one
// Gatehouse configuration binds to either.
//
// Each consumer reaches its peer through a faultproxy (a "link"), so that
// a test can Partition the pair — both keep serving, neither hears of the
// other's changes — and Heal it, to show what replication makes of writes
// made meanwhile.
type MirrorPair struct {
	A, B *Slapd
	// toA carries B's consumer to A; toB carries A's consumer to B.
	toA, toB *faultproxy.Proxy
}

// NewMirrorPair starts a pair for one test and stops it when the test
// ends; it skips or fails as New does when slapd is missing.
func NewMirrorPair(t testing.TB, opts Options) *MirrorPair {
	t.Helper()
	p, err := StartMirrorPair(t.Context(), opts)
	switch {
	case errors.Is(err, ErrNotInstalled) && !inCI():
		t.Skipf("%v; install the Debian packages %s (scripts/test-deps.sh)", err, DebianPackages)
	case err != nil:
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p
}

// StartMirrorPair builds A from opts (schema, LDIF, ppolicy) and B with
// the same cn=config and an empty database, starts both, and returns once
// B holds everything A does. The caller must Close the pair. TLS is not
// offered for a pair.
//
// B starts empty rather than loaded from the same LDIF because slapadd
// would give each copy of an entry its own entryUUID, and syncrepl
// matches entries by entryUUID: the first refresh would then fight over
// every DN.
func StartMirrorPair(ctx context.Context, opts Options) (p *MirrorPair, err error) {
	if opts.TLS {
		return nil, errors.New("ldaptest: a mirror pair has no TLS")
	}
	ctx, cancel := context.WithTimeout(ctx, 2*startTimeout)
	defer cancel()
	tools, err := findTools()
	if err != nil {
		return nil, err
	}
	p = &MirrorPair{}
	defer func() {
		if err != nil {
			err = errors.Join(fmt.Errorf("ldaptest: start mirror pair: %w", err), p.Close())
		}
	}()
	ports, err := p.links()
	if err != nil {
		return p, err
	}
	if p.A, err = p.buildProvider(ctx, tools, opts, 1, "ldap://"+p.toB.Addr()); err != nil {
		return p, err
	}
	if p.B, err = p.buildProvider(ctx, tools, opts, 2, "ldap://"+p.toA.Addr()); err != nil {
		return p, err
	}
	p.B.AdminPassword, p.B.ConfigPassword = p.A.AdminPassword, p.A.ConfigPassword
	if err := p.A.seed(ctx, tools, opts); err != nil {
		return p, err
	}
	if err := p.B.writeConfig(ctx, tools, opts); err != nil {
		return p, err
	}
	if err := p.A.launchOn(ctx, tools, ports[0], 0); err != nil {
		return p, err
	}
	if err := p.B.launchOn(ctx, tools, ports[1], 0); err != nil {
		return p, err
	}
	return p, p.WaitInSync(ctx)
}

// links picks the two servers' ports and starts the proxies to them.
func (p *MirrorPair) links() ([2]int, error) {
	var ports [2]int
	var err error
	for i := range ports {
		if ports[i], err = freePort(); err != nil {
			return ports, err
		}
	}
	if p.toA, err = faultproxy.Start("127.0.0.1:" + strconv.Itoa(ports[0])); err != nil {
		return ports, err
	}
	p.toB, err = faultproxy.Start("127.0.0.1:" + strconv.Itoa(ports[1]))
	return ports, err
}

// buildProvider prepares a server's directory; A's cn=config is written
// here, B's after it has taken A's passwords.
func (p *MirrorPair) buildProvider(ctx context.Context, tools tools, opts Options, id int, peer string) (*Slapd, error) {
	dir, err := shortTempDir()
	if err != nil {
		return nil, err
	}
	s := newSlapd(dir, opts.PPolicy)
	s.mirror = &mirrorConfig{ServerID: id, RID: fmt.Sprintf("%03d", id), Provider: peer}
	if id == 1 {
		return s, s.writeConfig(ctx, tools, opts)
	}
	return s, nil
}

// Partition stops replication both ways: each provider keeps serving
// its clients, and changes queue until Heal.
func (p *MirrorPair) Partition() { p.toA.Pause(); p.toB.Pause() }

// Heal lets replication resume after Partition.
func (p *MirrorPair) Heal() { p.toA.Resume(); p.toB.Resume() }

// Close stops both servers and the links. It is safe to call more than
// once.
func (p *MirrorPair) Close() error {
	var errs []error
	for _, s := range []*Slapd{p.A, p.B} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	for _, l := range []*faultproxy.Proxy{p.toA, p.toB} {
		if l != nil {
			errs = append(errs, l.Close())
		}
	}
	return errors.Join(errs...)
}

// WaitInSync polls until both providers report the same contextCSN on
// the suffix — each has applied every change the other made — or until
// ctx ends or syncWait passes.
func (p *MirrorPair) WaitInSync(ctx context.Context) error {
	var a, b []string
	err := poll(ctx, func() (bool, error) {
		var err error
		if a, err = contextCSN(p.A); err != nil {
			return false, err
		}
		if b, err = contextCSN(p.B); err != nil {
			return false, err
		}
		return len(a) > 0 && slices.Equal(a, b), nil
	})
	if err != nil {
		return fmt.Errorf("ldaptest: mirror pair not in sync (A %v, B %v): %w", a, b, err)
	}
	return nil
}

// contextCSN reads the suffix's contextCSN values, sorted: one per server
// ID that has written. A server without the suffix yet has none.
func contextCSN(s *Slapd) ([]string, error) {
	e, err := readEntry(s, s.BaseDN, "contextCSN")
	if e == nil || err != nil {
		return nil, err
	}
	csn := e.GetAttributeValues("contextCSN")
	slices.Sort(csn)
	return csn, nil
}

// WaitEntry polls s until the entry dn exists and ok accepts it (nil
// accepts any), or until ctx ends or syncWait passes: for a test that
// wrote through one provider and reads through the other.
func WaitEntry(ctx context.Context, s *Slapd, dn string, ok func(*ldap.Entry) bool) (*ldap.Entry, error) {
	var got *ldap.Entry
	err := poll(ctx, func() (bool, error) {
		e, err := readEntry(s, dn, "*", "+")
		if e == nil || err != nil {
			return false, err
		}
		got = e
		return ok == nil || ok(e), nil
	})
	if err != nil {
		return got, fmt.Errorf("ldaptest: %s at %s: %w", dn, s.URL, err)
	}
	return got, nil
}

// readEntry reads one entry as the admin; nil without error when there
// is no such entry.
func readEntry(s *Slapd, dn string, attrs ...string) (*ldap.Entry, error) {
	conn, err := s.Dial()
	if err != nil {
		return nil, err
	}
	defer func() { _ = conn.Close() }() // a read; nothing to lose
	res, err := conn.Search(ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases,
		1, 0, false, "(objectClass=*)", attrs, nil))
	if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return res.Entries[0], nil
}

// poll calls done until it reports true or the deadline passes; an
// error (a server being restarted) only goes into the report.
func poll(ctx context.Context, done func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, syncWait)
	defer cancel()
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		ok, err := done()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(delay):
		}
	}
}
