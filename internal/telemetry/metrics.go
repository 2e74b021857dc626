package telemetry

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every metric of ours.
const namespace = "gatehouse"

// Options tune Metrics.
type Options struct {
	// ClientLabels adds a client_id label to the token, sign-in and
	// consent counters (metrics.clientLabels). Off by default: the number
	// of clients is not bounded.
	ClientLabels bool
}

// Metrics is the server's metrics registry and the instruments in it.
// Safe for concurrent use.
type Metrics struct {
	reg          *prometheus.Registry
	clientLabels bool

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	events       eventCounters

	ldapDuration  *prometheus.HistogramVec
	ldapErrors    *prometheus.CounterVec
	redisDuration *prometheus.HistogramVec
	redisErrors   *prometheus.CounterVec
}

// New makes a registry with the Go runtime and process collectors and
// every instrument of the server.
func New(o Options) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), clientLabels: o.ClientLabels}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.httpRequests = m.counterVec("http_requests_total", "HTTP requests answered, by route template, method and status code.",
		"route", "method", "code")
	m.httpDuration = m.histogramVec("http_request_duration_seconds",
		"Time from a request's arrival to its answer, by route template, method and status class (2xx…5xx).",
		prometheus.DefBuckets, "route", "method", "class")
	m.events = newEventCounters(m)
	m.ldapDuration = m.histogramVec("directory_operation_duration_seconds",
		"Time of one LDAP operation, by directory server and operation.", prometheus.DefBuckets, "server", "op")
	m.ldapErrors = m.counterVec("directory_operation_errors_total",
		"LDAP operations that failed for the server's sake (not a wrong password), by server and operation.", "server", "op")
	redisBuckets := prometheus.ExponentialBuckets(0.0005, 2, 12) // 0.5 ms … 1 s
	m.redisDuration = m.histogramVec("redis_operation_duration_seconds",
		"Time of one session store (Redis) operation.", redisBuckets, "op")
	m.redisErrors = m.counterVec("redis_operation_errors_total",
		"Session store (Redis) operations that failed.", "op")
	return m
}

// Registry is the registry the metrics live in, for collectors of others.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, MaxRequestsInFlight: 4})
}

// ObserveHTTP records one answered request (provider.HTTPObserver). route
// is a path template; a method outside the standard ones counts as OTHER,
// since clients choose it.
func (m *Metrics) ObserveHTTP(route, method string, status int, d time.Duration) {
	method = methodLabel(method)
	m.httpRequests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.httpDuration.WithLabelValues(route, method, statusClass(status)).Observe(d.Seconds())
}

// ObserveLDAP records one LDAP operation against server (its URL); op is
// search, bind, modify, add, delete or probe. err is an outage, not a
// refused password (ldapstore decides).
func (m *Metrics) ObserveLDAP(server, op string, d time.Duration, err error) {
	m.ldapDuration.WithLabelValues(server, op).Observe(d.Seconds())
	if err != nil {
		m.ldapErrors.WithLabelValues(server, op).Inc()
	}
}

// ObserveRedis records one Redis operation of the session store.
func (m *Metrics) ObserveRedis(op string, d time.Duration, err error) {
	m.redisDuration.WithLabelValues(op).Observe(d.Seconds())
	if err != nil {
		m.redisErrors.WithLabelValues(op).Inc()
	}
}

func (m *Metrics) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
	m.reg.MustRegister(v)
	return v
}

func (m *Metrics) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help})
	m.reg.MustRegister(c)
	return c
}

func (m *Metrics) histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: name, Help: help, Buckets: buckets}, labels)
	m.reg.MustRegister(v)
	return v
}

// methodLabel bounds the method label to the methods of RFC 9110 and PATCH.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete,
		http.MethodOptions, http.MethodPatch, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
}

// statusClass is 1xx … 5xx.
func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}
