package ldapstore_test

import (
	"log/slog"
	"maps"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// opCounter counts the operations a pool runs, by kind (dials included).
type opCounter struct {
	mu  sync.Mutex
	ops map[string]int
}

func (c *opCounter) ObserveLDAP(_, op string, _ time.Duration, _ error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ops == nil {
		c.ops = map[string]int{}
	}
	c.ops[op]++
}

// take returns and forgets the counts, probes aside.
func (c *opCounter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.ops
	c.ops = nil
	delete(out, "probe")
	return out
}

// TestUsersRoundTrips pins the directory operations of each way to read
// a person, on a warm pool: Login and Lookup read the groups (a second
// search), the WithoutGroups forms do not, and give the same user less
// the groups claim. People's binds reuse their connection (no dial).
func TestUsersRoundTrips(t *testing.T) {
	t.Parallel()
	d := openLDAPWithPeople(t, ldaptest.Options{})
	p := populate(t, d)
	counter := &opCounter{}
	pool, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: []string{d.url}, BindDN: d.bindDN,
		BindPassword: d.password, Timeout: 10 * time.Second, Size: 2, Observer: counter},
		slog.New(slog.NewTextHandler(p.log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	u, err := ldapstore.NewUsers(pool, p.config())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)

	full := wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginOK) // warms both pools
	counter.take()
	tests := []struct {
		name       string
		read       func() (oauth.User, error)
		want       map[string]int
		withGroups bool
	}{
		{"Login", func() (oauth.User, error) {
			user, _, err := u.Login(t.Context(), "carol", passwords["carol"])
			return user, err
		}, map[string]int{"search": 2, "bind": 1}, true},
		{"LoginWithoutGroups", func() (oauth.User, error) {
			user, outcome, err := u.LoginWithoutGroups(t.Context(), "carol", passwords["carol"])
			if outcome != oauth.LoginOK {
				t.Errorf("outcome %v", outcome)
			}
			return user, err
		}, map[string]int{"search": 1, "bind": 1}, false},
		{"Lookup", func() (oauth.User, error) { return u.Lookup(t.Context(), full.Subject) },
			map[string]int{"search": 2}, true},
		{"LookupWithoutGroups", func() (oauth.User, error) { return u.LookupWithoutGroups(t.Context(), full.Subject) },
			map[string]int{"search": 1}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			user, err := tc.read()
			if err != nil {
				t.Fatal(err)
			}
			if got := counter.take(); !maps.Equal(got, tc.want) {
				t.Errorf("operations %v, want %v", got, tc.want)
			}
			want := full
			if !tc.withGroups {
				want.Claims = maps.Clone(full.Claims)
				delete(want.Claims, "groups")
			}
			if !reflect.DeepEqual(user, want) {
				t.Errorf("user\n got %+v\nwant %+v", user, want)
			}
		})
	}
	if _, ok := full.Claims["groups"]; !ok {
		t.Fatalf("carol's Login gave no groups: %v", full.Claims)
	}

	t.Run("wrong password", func(t *testing.T) {
		user, outcome, err := u.LoginWithoutGroups(t.Context(), "carol", "not carol's")
		if err != nil || outcome != oauth.LoginInvalid || !reflect.DeepEqual(user, oauth.User{}) {
			t.Errorf("LoginWithoutGroups = %+v, %v, %v; want LoginInvalid and no user", user, outcome, err)
		}
		counter.take()
	})
}
