package telemetry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/provider/resource"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

type labels = map[string]string

// TestEventCounters: each audit event moves its counter, with bounded
// labels only.
func TestEventCounters(t *testing.T) {
	tests := []struct {
		name   string
		event  audit.Event
		metric string
		labels labels
	}{
		{name: "token", event: audit.Event{Type: audit.TypeTokenIssued, GrantType: "authorization_code", AuthMethod: "client_secret_basic",
			ClientID: "rp", Subject: "alice", JTI: "j1"},
			metric: "gatehouse_token_issued_total", labels: labels{"grant_type": "authorization_code", "auth_method": "client_secret_basic"}},
		{name: "sign-in", event: audit.Event{Type: audit.TypeSignIn, Outcome: audit.OutcomeInvalid, Username: "mallory", ClientID: "rp"},
			metric: "gatehouse_signin_total", labels: labels{"outcome": "invalid"}},
		{name: "consent", event: audit.Event{Type: audit.TypeConsent, Outcome: audit.OutcomeDeny, ClientID: "rp"},
			metric: "gatehouse_consent_total", labels: labels{"decision": "deny"}},
		{name: "revocation", event: audit.Event{Type: audit.TypeRevocation, Outcome: audit.OutcomeRevoked, TokenType: "refresh_token", ClientID: "rp"},
			metric: "gatehouse_revocations_total", labels: labels{"token_type": "refresh_token", "outcome": "revoked"}},
		{name: "refresh reuse", event: audit.Event{Type: audit.TypeRefreshReuse, ClientID: "rp"}, metric: "gatehouse_refresh_reuse_total", labels: labels{}},
		{name: "code replay", event: audit.Event{Type: audit.TypeCodeReplay, ClientID: "rp"}, metric: "gatehouse_code_replay_total", labels: labels{}},
		{name: "throttle", event: audit.Event{Type: audit.TypeThrottle, Username: "bob"}, metric: "gatehouse_throttle_triggered_total", labels: labels{}},
		{name: "created", event: audit.Event{Type: audit.TypeClientCreated, ClientID: "rp"},
			metric: "gatehouse_client_registrations_total", labels: labels{"action": "created"}},
		{name: "updated", event: audit.Event{Type: audit.TypeClientUpdated, ClientID: "rp"},
			metric: "gatehouse_client_registrations_total", labels: labels{"action": "updated"}},
		{name: "deleted", event: audit.Event{Type: audit.TypeClientDeleted, ClientID: "rp"},
			metric: "gatehouse_client_registrations_total", labels: labels{"action": "deleted"}},
		{name: "secret rotated", event: audit.Event{Type: audit.TypeClientSecretRotated, ClientID: "rp"},
			metric: "gatehouse_client_registrations_total", labels: labels{"action": "secret_rotated"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := New(Options{})
			m.Record(context.Background(), tc.event)
			m.Record(context.Background(), tc.event)
			if got, ok := value(t, m, tc.metric, tc.labels); !ok || got != 2 {
				t.Errorf("%s%v = %v (present %v), want 2; series %v", tc.metric, tc.labels, got, ok, gather(t, m, tc.metric))
			}
			assertNoIdentities(t, m)
		})
	}
}

// assertNoIdentities: no label value of any gatehouse series is a client
// id, a username or a subject.
func assertNoIdentities(t *testing.T, m *Metrics) {
	t.Helper()
	families, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, mt := range f.GetMetric() {
			for _, l := range mt.GetLabel() {
				switch l.GetValue() {
				case "rp", "mallory", "alice", "bob":
					t.Errorf("%s has the label %s=%q", f.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}
}

// TestClientLabelsOptIn: with metrics.clientLabels the token, sign-in and
// consent counters carry the client_id, and nothing else does.
func TestClientLabelsOptIn(t *testing.T) {
	m := New(Options{ClientLabels: true})
	ctx := context.Background()
	m.Record(ctx, audit.Event{Type: audit.TypeTokenIssued, GrantType: "client_credentials", AuthMethod: "private_key_jwt", ClientID: "rp"})
	m.Record(ctx, audit.Event{Type: audit.TypeSignIn, Outcome: audit.OutcomeOK, ClientID: "rp", Username: "alice"})
	m.Record(ctx, audit.Event{Type: audit.TypeConsent, Outcome: audit.OutcomeAllow, ClientID: "rp"})
	m.Record(ctx, audit.Event{Type: audit.TypeClientCreated, ClientID: "rp"})
	for _, c := range []struct {
		metric string
		labels labels
	}{
		{"gatehouse_token_issued_total", labels{"grant_type": "client_credentials", "auth_method": "private_key_jwt", "client_id": "rp"}},
		{"gatehouse_signin_total", labels{"outcome": "ok", "client_id": "rp"}},
		{"gatehouse_consent_total", labels{"decision": "allow", "client_id": "rp"}},
		{"gatehouse_client_registrations_total", labels{"action": "created"}},
	} {
		if got, ok := value(t, m, c.metric, c.labels); !ok || got != 1 {
			t.Errorf("%s%v = %v (present %v); series %v", c.metric, c.labels, got, ok, gather(t, m, c.metric))
		}
	}
}

func TestObserveHTTP(t *testing.T) {
	m := New(Options{})
	m.ObserveHTTP("/token", http.MethodPost, 200, 3*time.Millisecond)
	m.ObserveHTTP("/token", http.MethodPost, 400, time.Millisecond)
	m.ObserveHTTP("/token", "BREW", 405, time.Millisecond)
	for _, c := range []struct {
		metric string
		labels labels
	}{
		{"gatehouse_http_requests_total", labels{"route": "/token", "method": "POST", "code": "200"}},
		{"gatehouse_http_requests_total", labels{"route": "/token", "method": "POST", "code": "400"}},
		{"gatehouse_http_requests_total", labels{"route": "/token", "method": "OTHER", "code": "405"}},
		{"gatehouse_http_request_duration_seconds", labels{"route": "/token", "method": "POST", "class": "2xx"}},
		{"gatehouse_http_request_duration_seconds", labels{"route": "/token", "method": "POST", "class": "4xx"}},
	} {
		if got, ok := value(t, m, c.metric, c.labels); !ok || got != 1 {
			t.Errorf("%s%v = %v (present %v); series %v", c.metric, c.labels, got, ok, gather(t, m, c.metric))
		}
	}
}

func TestObserveStores(t *testing.T) {
	m := New(Options{})
	down := errors.New("down")
	m.ObserveLDAP("ldap://a:389", "search", time.Millisecond, nil)
	m.ObserveLDAP("ldap://a:389", "search", time.Second, down)
	m.ObserveRedis("get", time.Millisecond, nil)
	m.ObserveRedis("get", time.Millisecond, down)
	for _, c := range []struct {
		metric string
		labels labels
		want   float64
	}{
		{"gatehouse_directory_operation_duration_seconds", labels{"server": "ldap://a:389", "op": "search"}, 2},
		{"gatehouse_directory_operation_errors_total", labels{"server": "ldap://a:389", "op": "search"}, 1},
		{"gatehouse_redis_operation_duration_seconds", labels{"op": "get"}, 2},
		{"gatehouse_redis_operation_errors_total", labels{"op": "get"}, 1},
	} {
		if got, ok := value(t, m, c.metric, c.labels); !ok || got != c.want {
			t.Errorf("%s%v = %v (present %v), want %v", c.metric, c.labels, got, ok, c.want)
		}
	}
}

// TestWatchers: the collectors read the parts' statistics at scrape time.
func TestWatchers(t *testing.T) {
	m := New(Options{})
	servers := []ldapstore.ServerState{{URL: "ldap://a:389", Up: true}, {URL: "ldap://b:389", Up: false, Failures: 3}}
	m.WatchDirectory(func() []ldapstore.ServerState { return servers })
	m.WatchPool("service", func() PoolStats { return PoolStats{InUse: 2, Size: 8, Waiting: 1} })
	codec, err := secrets.New(secrets.Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}, make([]byte, 32), "k")
	if err != nil {
		t.Fatal(err)
	}
	m.WatchVerifier(secrets.NewVerifier(codec, secrets.VerifierOptions{}))
	mem := session.NewMemory(session.MemoryOptions{})
	m.WatchSessions(func(context.Context) (session.Stats, error) { return mem.Stats(), nil })
	m.WatchTokenCache(func() resource.TokenCacheStats {
		return resource.TokenCacheStats{Hits: 5, Misses: 2, Entries: 2, Size: 100}
	})
	keys, err := keyset.Generate()
	if err != nil {
		t.Fatal(err)
	}
	m.WatchKeys(keys)

	for _, c := range []struct {
		metric string
		labels labels
		want   float64
	}{
		{"gatehouse_directory_server_up", labels{"server": "ldap://a:389"}, 1},
		{"gatehouse_directory_server_up", labels{"server": "ldap://b:389"}, 0},
		{"gatehouse_directory_server_failures", labels{"server": "ldap://b:389"}, 3},
		{"gatehouse_directory_pool_in_use", labels{"pool": "service"}, 2},
		{"gatehouse_directory_pool_waiting", labels{"pool": "service"}, 1},
		{"gatehouse_secret_verifier_cache_hits_total", labels{}, 0},
		{"gatehouse_secret_verifier_in_flight", labels{}, 0},
		{"gatehouse_sessions_pending_flows", labels{}, 0},
		{"gatehouse_sessions_entries", labels{}, 0},
		{"gatehouse_token_cache_hits_total", labels{}, 5},
		{"gatehouse_token_cache_entries", labels{}, 2},
	} {
		if got, ok := value(t, m, c.metric, c.labels); !ok || got != c.want {
			t.Errorf("%s%v = %v (present %v), want %v", c.metric, c.labels, got, ok, c.want)
		}
	}
	// Scraped again after a change: the state now, not at registration.
	servers[1].Up = true
	if got, _ := value(t, m, "gatehouse_directory_server_up", labels{"server": "ldap://b:389"}); got != 1 {
		t.Errorf("server b after it came back: up = %v", got)
	}

	signing := 0
	for _, s := range gather(t, m, "gatehouse_signing_keys") {
		if s.labels["state"] == "signing" {
			signing++
		}
	}
	if want := len(keys.Public().Keys); signing != want {
		t.Errorf("%d signing keys exported, want %d (a fresh set signs with every key)", signing, want)
	}
}

// TestWatchKeysAfterRotation: the new keys sign, the old ones are
// published only.
func TestWatchKeysAfterRotation(t *testing.T) {
	old, fresh := mustGenerate(t), mustGenerate(t)
	m := New(Options{})
	m.WatchKeys(old.Rotate(fresh))
	states := map[string]string{}
	for _, s := range gather(t, m, "gatehouse_signing_keys") {
		states[s.labels["kid"]] = s.labels["state"]
	}
	for _, k := range fresh.Public().Keys {
		if states[k.KeyID] != "signing" {
			t.Errorf("new key %s: state %q, want signing", k.KeyID, states[k.KeyID])
		}
	}
	for _, k := range old.Public().Keys {
		if states[k.KeyID] != "published" {
			t.Errorf("old key %s: state %q, want published", k.KeyID, states[k.KeyID])
		}
	}
}

func mustGenerate(t *testing.T) *keyset.Set {
	t.Helper()
	k, err := keyset.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestSessionStoreDown: a store that does not answer leaves its series out
// of the scrape instead of failing it.
func TestSessionStoreDown(t *testing.T) {
	m := New(Options{})
	m.WatchSessions(func(context.Context) (session.Stats, error) { return session.Stats{}, errors.New("down") })
	if got := gather(t, m, "gatehouse_sessions_pending_flows"); len(got) != 0 {
		t.Errorf("series of a store that is down: %v", got)
	}
	if _, ok := value(t, m, "go_goroutines", labels{}); !ok {
		t.Error("go_goroutines missing: the scrape failed")
	}
}

// TestHandlerServesTextFormat: the scrape answers in the text format with
// the runtime and process collectors.
func TestHandlerServesTextFormat(t *testing.T) {
	m := New(Options{})
	m.ObserveHTTP("/jwks.json", http.MethodGet, 200, time.Millisecond)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`gatehouse_http_requests_total{code="200",method="GET",route="/jwks.json"} 1`,
		"go_goroutines ", "process_cpu_seconds_total ",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
}
