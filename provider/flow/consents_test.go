package flow

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// countingStore is an AuthorizationStore in memory that counts the calls
// the consent cache makes; the conformance of real stores is tested in
// ldapstore, and the round trips of whole flows against slapd in
// cmd/gatehouse (TestDirectoryRoundTripsPerFlow).
type countingStore struct {
	mu      sync.Mutex
	entries map[consentKey]oauth.Authorization
	calls   []string
	fail    error // answered by every call when set
}

func newCountingStore() *countingStore {
	return &countingStore{entries: map[consentKey]oauth.Authorization{}}
}

func (s *countingStore) note(call string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call)
	return s.fail
}

func (s *countingStore) took() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.calls
	s.calls = nil
	return out
}

func (s *countingStore) Get(_ context.Context, subject, clientID string) (oauth.Authorization, error) {
	if err := s.note("get"); err != nil {
		return oauth.Authorization{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.entries[consentKey{subject, clientID}]
	if !ok {
		return a, storage.ErrNotFound
	}
	return a, nil
}

func (s *countingStore) Create(_ context.Context, a oauth.Authorization) (oauth.Authorization, error) {
	if err := s.note("create"); err != nil {
		return oauth.Authorization{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := consentKey{a.Subject, a.ClientID}
	if _, ok := s.entries[key]; ok {
		return oauth.Authorization{}, storage.ErrAlreadyExists
	}
	s.entries[key] = a
	return a, nil
}

func (s *countingStore) Update(_ context.Context, subject, clientID string,
	fn func(oauth.Authorization) (oauth.Authorization, error)) (oauth.Authorization, error) {
	if err := s.note("update"); err != nil {
		return oauth.Authorization{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := consentKey{subject, clientID}
	old, ok := s.entries[key]
	if !ok {
		return old, storage.ErrNotFound
	}
	next, err := fn(old)
	if err == nil {
		s.entries[key] = next
	}
	return next, err
}

// put writes behind the cache's back, as another instance would.
func (s *countingStore) put(a oauth.Authorization) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries[consentKey{a.Subject, a.ClientID}] = a
}

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestConsentCacheReads(t *testing.T) {
	ctx := t.Context()
	given := oauth.Authorization{Subject: "s1", ClientID: "c1", Scopes: []string{"openid"}}
	tests := []struct {
		name string
		ttl  time.Duration
		// steps: "get" reads; "+N" moves the clock N seconds; "elsewhere"
		// writes behind the cache; "wrote" records this instance's write;
		// "forget" drops the key.
		steps []string
		// reads is how many of the gets reached the store.
		reads int
		found bool
	}{
		{name: "second read within the TTL is answered from memory", ttl: 5 * time.Second,
			steps: []string{"elsewhere", "get", "+4", "get"}, reads: 1, found: true},
		{name: "a read after the TTL goes to the store", ttl: 5 * time.Second,
			steps: []string{"elsewhere", "get", "+5", "get"}, reads: 2, found: true},
		{name: "absence is remembered too", ttl: 5 * time.Second,
			steps: []string{"get", "get"}, reads: 1, found: false},
		{name: "a change elsewhere is seen after the TTL", ttl: 5 * time.Second,
			steps: []string{"get", "elsewhere", "get", "+5", "get"}, reads: 2, found: true},
		{name: "this instance's write is seen at once", ttl: 5 * time.Second,
			steps: []string{"get", "wrote", "get"}, reads: 1, found: true},
		{name: "forget drops the answer", ttl: 5 * time.Second,
			steps: []string{"elsewhere", "get", "forget", "get"}, reads: 2, found: true},
		{name: "a clock gone back expires the answer", ttl: 5 * time.Second,
			steps: []string{"elsewhere", "get", "-1", "get"}, reads: 2, found: true},
		{name: "a negative TTL reads every time", ttl: -1,
			steps: []string{"elsewhere", "get", "get", "get"}, reads: 3, found: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store, clock := newCountingStore(), &fakeClock{now: time.Unix(1_800_000_000, 0)}
			c := newConsents(store, tc.ttl, 0, clock.Now)
			var found bool
			for _, step := range tc.steps {
				switch step {
				case "get":
					var err error
					if _, found, err = c.get(ctx, "s1", "c1"); err != nil {
						t.Fatal(err)
					}
				case "+4", "+5", "-1":
					secs := map[string]int{"+4": 4, "+5": 5, "-1": -1}[step]
					clock.add(time.Duration(secs) * time.Second)
				case "elsewhere":
					store.put(given)
				case "wrote":
					c.wrote(given)
				case "forget":
					c.forget("s1", "c1")
				}
			}
			if reads := len(store.took()); reads != tc.reads || found != tc.found {
				t.Errorf("store reads %d, found %v; want %d, %v", reads, found, tc.reads, tc.found)
			}
		})
	}
}

// An outage is answered as such and never remembered.
func TestConsentCacheKeepsNoErrors(t *testing.T) {
	store := newCountingStore()
	store.fail = storage.ErrUnavailable
	c := newConsents(store, time.Minute, 0, time.Now)
	if _, _, err := c.get(t.Context(), "s1", "c1"); !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("get = %v, want ErrUnavailable", err)
	}
	store.fail = nil
	if _, found, err := c.get(t.Context(), "s1", "c1"); err != nil || found {
		t.Fatalf("get after the outage = %v, %v", found, err)
	}
	if calls := store.took(); len(calls) != 2 {
		t.Errorf("store calls %v, want two reads", calls)
	}
}

// The cache holds at most its size, however many people pass.
func TestConsentCacheIsBounded(t *testing.T) {
	c := newConsents(newCountingStore(), time.Minute, 3, time.Now)
	for i := range 100 {
		if _, _, err := c.get(t.Context(), string(rune('a'+i%26))+string(rune('a'+i/26)), "c1"); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(c.seen); n != 3 {
		t.Errorf("%d entries kept, want 3", n)
	}
}

// grant picks Add or Modify by what the instance knows, and falls back to
// the other when the entry is not as thought.
func TestConsentWriteOrder(t *testing.T) {
	req := authorize.Request{ClientID: "c1", Scopes: []string{"openid", "email"}}
	existing := oauth.Authorization{Subject: "s1", ClientID: req.ClientID, Scopes: []string{"openid"}}
	tests := []struct {
		name      string
		readFirst bool // the instance read the consent before the write
		exists    bool // the entry exists at the write
		want      []string
	}{
		{name: "known absent: added straight away", readFirst: true, want: []string{"get", "create"}},
		{name: "known absent, created elsewhere meanwhile", readFirst: true, exists: true,
			want: []string{"get", "create", "update"}},
		{name: "unknown and absent", want: []string{"update", "create"}},
		{name: "unknown and present", exists: true, want: []string{"update"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := newCountingStore()
			h := &Handler{Options: Options{Authorizations: store}, consents: newConsents(store, time.Minute, 0, time.Now)}
			if tc.readFirst {
				if _, _, err := h.consents.get(t.Context(), "s1", req.ClientID); err != nil {
					t.Fatal(err)
				}
			}
			if tc.exists {
				store.put(existing)
			}
			a, err := h.grant(t.Context(), req, "s1")
			if err != nil {
				t.Fatal(err)
			}
			if calls := store.took(); !slices.Equal(calls, tc.want) {
				t.Errorf("store calls %v, want %v", calls, tc.want)
			}
			if !slices.Equal(a.Scopes, []string{"openid", "email"}) {
				t.Errorf("granted scopes %v", a.Scopes)
			}
		})
	}
}
