package cluster

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/load/rig"
	"github.com/gatehouse-idp/gatehouse/internal/load/scenarios"
	"github.com/gatehouse-idp/gatehouse/internal/nginxtest"
	"github.com/gatehouse-idp/gatehouse/internal/redistest"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// instances is how many Gatehouse processes run behind nginx.
const instances = 3

// world is everything the run starts.
type world struct {
	LDAP        *ldaptest.MirrorPair
	Redis       *redistest.Sentinel
	Gatehouses  []*rig.Gatehouse
	Balancer    *nginxtest.Proxy
	Users       []scenarios.User
	Client      rig.Client // the load's client, registered before the run
	MasterToken string
}

// startWorld starts the servers in the order they depend on each other
// and registers the load's client through nginx. Everything stops when
// the test ends.
func startWorld(t *testing.T, binary string, users int) *world {
	t.Helper()
	ctx := t.Context()
	w := &world{MasterToken: rand.Text()}
	var err error
	if w.Users, err = scenarios.GenerateUsers(rig.DefaultUserPattern, users); err != nil {
		t.Fatal(err)
	}
	ldif := filepath.Join(t.TempDir(), "users.ldif")
	if err := os.WriteFile(ldif, []byte(rig.UsersLDIF(w.Users)), 0o600); err != nil {
		t.Fatal(err)
	}
	w.LDAP = ldaptest.NewMirrorPair(t, ldaptest.Options{LDIF: []string{ldif}})
	w.Redis = redistest.NewSentinel(t, redistest.SentinelOptions{Sentinels: 3})
	addrs := make([]string, instances)
	for i := range addrs {
		addrs[i] = freeAddr(t)
	}
	w.Balancer = nginxtest.StartBalancer(t, addrs)
	keys := filepath.Join(t.TempDir(), "jwks.json")
	for i, addr := range addrs {
		g, err := rig.StartGatehouse(ctx, w.gatehouseOptions(t, binary, addr, keys))
		if err != nil {
			t.Fatalf("gatehouse %d: %v", i+1, err)
		}
		t.Cleanup(func() { stopQuietly(t, g) })
		w.Gatehouses = append(w.Gatehouses, g)
	}
	if w.Client, err = rig.RegisterClient(ctx, w.Balancer.URL, w.MasterToken); err != nil {
		t.Fatal(err)
	}
	return w
}

// gatehouseOptions configures one instance: issuer nginx, ldap.urls both
// providers with A first (docs/scale-out.md, "OpenLDAP"), sessions in the
// master Sentinel names, one key set for all.
func (w *world) gatehouseOptions(t *testing.T, binary, addr, keys string) rig.GatehouseOptions {
	t.Helper()
	dir := t.TempDir() // each instance its own configuration file
	return rig.GatehouseOptions{
		Binary: binary, Dir: dir, Addr: addr, Issuer: w.Balancer.URL, KeysFile: keys,
		LDAPURLs: []string{w.LDAP.A.URL, w.LDAP.B.URL},
		BindDN:   w.LDAP.A.AdminDN, BindPassword: w.LDAP.A.AdminPassword,
		MasterToken: w.MasterToken,
		Sentinel:    rig.Sentinel{MasterName: w.Redis.MasterName, Addrs: w.Redis.Addrs()},
		ExtraYAML:   "http: {drainPeriod: 0s}\n",
	}
}

// stopQuietly stops an instance at the end; one killed by the run and
// not started again has nothing to stop.
func stopQuietly(t *testing.T, g *rig.Gatehouse) {
	if err := g.Stop(); err != nil {
		t.Errorf("gatehouse at %s: %v", g.URL, err)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// sleepCtx waits d or until ctx ends: the run's timeline, not a
// synchronisation.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("cluster: %w", ctx.Err())
	}
}
