package telemetry

import (
	"context"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/provider/resource"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// The Watch methods register collectors that read a part's own
// statistics at each scrape. Call each at most once, at start.

// WatchDirectory exports the breaker state of every directory server
// (ldapstore.Pool.Servers): up (1 or 0) and the failures since it last
// answered.
func (m *Metrics) WatchDirectory(servers func() []ldapstore.ServerState) {
	up := desc("directory_server_up", "Whether the pool takes the directory server to be answering (1) or down (0).", "server")
	failures := desc("directory_server_failures", "Failures of the directory server since it last answered.", "server")
	m.reg.MustRegister(collectFunc([]*prometheus.Desc{up, failures}, func(ch chan<- prometheus.Metric) {
		for _, s := range servers() {
			ch <- prometheus.MustNewConstMetric(up, prometheus.GaugeValue, boolValue(s.Up), s.URL)
			ch <- prometheus.MustNewConstMetric(failures, prometheus.GaugeValue, float64(s.Failures), s.URL)
		}
	}))
}

// PoolStats are a connection pool's gauges.
type PoolStats struct {
	// InUse are the connections lent out now, Size the most there may be,
	// Waiting the callers waiting for one.
	InUse, Size, Waiting int
}

// WatchPool exports a directory connection pool's use; name tells pools
// apart (the service account's, the one for people's binds).
func (m *Metrics) WatchPool(name string, stats func() PoolStats) {
	labels := prometheus.Labels{"pool": name}
	m.gaugeFunc("directory_pool_in_use", "Directory connections lent out now.", labels, func() float64 { return float64(stats().InUse) })
	m.gaugeFunc("directory_pool_size", "The most directory connections the pool opens.", labels, func() float64 { return float64(stats().Size) })
	m.gaugeFunc("directory_pool_waiting", "Callers waiting for a directory connection.", labels, func() float64 { return float64(stats().Waiting) })
}

// WatchVerifier exports the client-secret verifier's cache and its bounds
// on Argon2/BCrypt work.
func (m *Metrics) WatchVerifier(v *secrets.Verifier) {
	counters := []struct {
		name, help string
		value      func(secrets.VerifierStats) uint64
	}{
		{"secret_verifier_cache_hits_total", "Secret checks answered by the cache of successes.", func(s secrets.VerifierStats) uint64 { return s.CacheHits }},
		{"secret_verifier_cache_misses_total", "Secret checks the cache could not answer.", func(s secrets.VerifierStats) uint64 { return s.CacheMisses }},
		{"secret_verifier_slow_checks_total", "Argon2 and BCrypt runs.", func(s secrets.VerifierStats) uint64 { return s.SlowChecks }},
		{"secret_verifier_collapsed_total", "Secret checks answered by another caller's run of the same check.", func(s secrets.VerifierStats) uint64 { return s.Collapsed }},
		{"secret_verifier_rejected_total", "Secret checks refused as busy: the queue was full, or the request ended while waiting.", func(s secrets.VerifierStats) uint64 { return s.Rejected }},
	}
	for _, c := range counters {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: namespace, Name: c.name, Help: c.help},
			func() float64 { return float64(c.value(v.Stats())) }))
	}
	gauges := []struct {
		name, help string
		value      func(secrets.VerifierStats) int
	}{
		{"secret_verifier_in_flight", "Argon2 and BCrypt runs now.", func(s secrets.VerifierStats) int { return s.InFlight }},
		{"secret_verifier_queued", "Secret checks waiting for a slot.", func(s secrets.VerifierStats) int { return s.Queued }},
		{"secret_verifier_max_in_flight", "The most Argon2 and BCrypt runs at once.", func(s secrets.VerifierStats) int { return s.MaxConcurrent }},
		{"secret_verifier_max_queued", "The most secret checks that may wait.", func(s secrets.VerifierStats) int { return s.MaxQueued }},
	}
	for _, g := range gauges {
		m.gaugeFunc(g.name, g.help, nil, func() float64 { return float64(g.value(v.Stats())) })
	}
}

// SessionStats reads how full the session store is (session.Memory.Stats,
// session.Redis.Stats).
type SessionStats func(ctx context.Context) (session.Stats, error)

// sessionStatsTimeout bounds the store's answer at a scrape.
const sessionStatsTimeout = time.Second

// WatchSessions exports the session store's pending flows and, where the
// store counts them, its other entries (sessions, codes, signed-in
// flows). A store that does not answer leaves its series out of that
// scrape.
func (m *Metrics) WatchSessions(stats SessionStats) {
	pending := desc("sessions_pending_flows", "Sign-ins no one has signed in to yet (evictable).")
	pendingMax := desc("sessions_pending_flows_max", "The most pending sign-ins kept; past it the oldest is dropped.")
	entries := desc("sessions_entries", "Sessions, codes and signed-in flows held (the memory store only).")
	entriesMax := desc("sessions_entries_max", "The most such entries the memory store holds.")
	m.reg.MustRegister(collectFunc([]*prometheus.Desc{pending, pendingMax, entries, entriesMax}, func(ch chan<- prometheus.Metric) {
		ctx, cancel := context.WithTimeout(context.Background(), sessionStatsTimeout)
		defer cancel()
		s, err := stats(ctx)
		if err != nil {
			return
		}
		ch <- prometheus.MustNewConstMetric(pending, prometheus.GaugeValue, float64(s.Pending))
		ch <- prometheus.MustNewConstMetric(pendingMax, prometheus.GaugeValue, float64(s.MaxPending))
		if s.Entries >= 0 {
			ch <- prometheus.MustNewConstMetric(entries, prometheus.GaugeValue, float64(s.Entries))
			ch <- prometheus.MustNewConstMetric(entriesMax, prometheus.GaugeValue, float64(s.MaxEntries))
		}
	}))
}

// WatchTokenCache exports the cache of verified access tokens of
// introspection and UserInfo (resource.Handler.TokenCacheStats).
func (m *Metrics) WatchTokenCache(stats func() resource.TokenCacheStats) {
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: namespace, Name: "token_cache_hits_total",
			Help: "Access tokens found verified in the cache."}, func() float64 { return float64(stats().Hits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: namespace, Name: "token_cache_misses_total",
			Help: "Access tokens parsed and verified anew."}, func() float64 { return float64(stats().Misses) }),
	)
	m.gaugeFunc("token_cache_entries", "Verified access tokens held in the cache.", nil, func() float64 { return float64(stats().Entries) })
}

// WatchKeys exports the signing keys published, one series per key id
// (bounded by the key set): state "signing" for the key that signs its
// algorithm, "published" for the older ones kept for verification.
func (m *Metrics) WatchKeys(set *keyset.Set) {
	info := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "signing_keys",
		Help: "Signing keys published at /jwks.json (always 1), by kid, algorithm and state (signing, published)."},
		[]string{"kid", "alg", "state"})
	for _, k := range set.Public().Keys {
		state := "published"
		if cur, ok := set.SigningKey(jose.SignatureAlgorithm(k.Algorithm)); ok && cur.KeyID == k.KeyID {
			state = "signing"
		}
		info.WithLabelValues(k.KeyID, k.Algorithm, state).Set(1)
	}
	m.reg.MustRegister(info)
}

func (m *Metrics) gaugeFunc(name, help string, labels prometheus.Labels, f func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help,
		ConstLabels: labels}, f))
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, labels, nil)
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// collector is a Collector made of its descriptions and a function that
// reads the values at scrape time.
type collector struct {
	descs   []*prometheus.Desc
	collect func(chan<- prometheus.Metric)
}

func collectFunc(descs []*prometheus.Desc, f func(chan<- prometheus.Metric)) prometheus.Collector {
	return collector{descs: descs, collect: f}
}

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) { c.collect(ch) }
