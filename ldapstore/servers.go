package ldapstore

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// Half-open trials of a server that refused connections: the first comes
// trialBackoff after it went down, and the wait doubles with every failure
// up to trialBackoffMax. A dead server that comes back is used again
// within that bound even when every server is down and nothing else
// would try it; the probe usually sees it sooner.
const (
	trialBackoff    = 200 * time.Millisecond
	trialBackoffMax = 3 * time.Second
)

// ServerState is what the pool knows of one directory server, for
// readiness checks and metrics.
type ServerState struct {
	URL string
	// Up is false from the failure that marked the server down until a
	// probe or a trial request finds it answering again.
	Up bool
	// Since is when Up last changed, or when the pool was made.
	Since time.Time
	// LastError is the latest failure that counted against the server:
	// while it is down, why; it is kept after it comes back. It holds no
	// password.
	LastError string
	// Failures counts failures since the server last answered.
	Failures int
}

// server is the circuit breaker of one directory server, shared by every
// pool that reaches it.
type server struct {
	url      string
	up       bool
	hung     bool // down because it stopped answering, not because it refused
	since    time.Time
	lastErr  string
	failures int
	trialAt  time.Time // while down and not hung: earliest half-open trial
	answer   time.Time // when it last answered anything
	// epoch counts the times the server went down. A connection made in
	// an earlier epoch was closed by the pool; its errors say nothing new.
	epoch uint64
	conns map[*ldap.Conn]struct{} // open connections of every pool
	kick  chan struct{}           // asks the probe loop to probe now
}

// servers holds the breakers of the configured servers, in order.
type servers struct {
	log *slog.Logger
	now func() time.Time

	mu   sync.Mutex
	list []*server

	probes probeLoops
}

func newServers(urls []string, log *slog.Logger) *servers {
	h := &servers{log: log, now: time.Now}
	for _, u := range urls {
		h.list = append(h.list, &server{url: u, up: true, since: h.now(),
			conns: make(map[*ldap.Conn]struct{}), kick: make(chan struct{}, 1)})
	}
	return h
}

// order lists the servers to try for a new connection: those up in the
// configured order, then those down, which admit lets through only for a
// half-open trial. Servers in skip are left out.
func (h *servers) order(skip map[int]bool) []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	var up, down []int
	for i, s := range h.list {
		switch {
		case skip[i]:
		case s.up:
			up = append(up, i)
		default:
			down = append(down, i)
		}
	}
	return append(up, down...)
}

// admit says whether a connection to server i may be made now, and in
// which epoch. A server that is down admits one trial once its backoff has
// passed; a hung one admits none, as a trial would cost a whole timeout:
// its probe brings it back.
func (h *servers) admit(i int) (uint64, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.list[i]
	if s.up {
		return s.epoch, true
	}
	now := h.now()
	if s.hung || now.Before(s.trialAt) {
		return 0, false
	}
	s.trialAt = now.Add(backoff(s.failures)) // one trial at a time
	return s.epoch, true
}

// refusal is why a request cannot get a connection at all, so that it
// fails at once rather than queue for a slot: every server is down and
// none is due for a trial. It is nil otherwise; it claims no trial.
func (h *servers) refusal() error {
	h.mu.Lock()
	now := h.now()
	for _, s := range h.list {
		if s.up || !s.hung && !now.Before(s.trialAt) {
			h.mu.Unlock()
			return nil
		}
	}
	h.mu.Unlock()
	return h.downError()
}

// preferred tells whether an idle connection to server i should be used:
// the server is up and none before it in the configured order is, so that
// traffic returns to the first server once it is back.
func (h *servers) preferred(i int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.list[:i] {
		if s.up {
			return false
		}
	}
	return h.list[i].up
}

// register records an open connection so that it is closed if its server
// goes down. It refuses one made in an earlier epoch.
func (h *servers) register(i int, epoch uint64, c *ldap.Conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.list[i]
	if s.epoch != epoch {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (h *servers) unregister(i int, c *ldap.Conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.list[i].conns, c)
}

// failed records a failure of server i seen on a connection of epoch (or
// while making one) that began at start. The first marks the server down,
// logs it once, and closes every connection to it, idle or in use, so that
// callers waiting on a hung server hear of it now rather than at their
// timeout.
//
// A timeout does not count while the server answered something else since
// start: it is slow, or the request was, but it is not hung, and closing
// every connection to it would fail the requests it is answering.
func (h *servers) failed(i int, epoch uint64, err error, start time.Time) {
	h.mu.Lock()
	s := h.list[i]
	if s.epoch != epoch || s.up && isTimeout(err) && s.answer.After(start) {
		h.mu.Unlock()
		return
	}
	conns := h.recordFailure(s, err)
	h.mu.Unlock()
	for _, c := range conns {
		_ = c.Close() // the server is gone; nothing to tell
	}
}

// recordFailure updates s after a failure and, when it was up, takes it
// down and returns its connections to close. h.mu is held.
func (h *servers) recordFailure(s *server, err error) []*ldap.Conn {
	now := h.now()
	s.failures++
	s.lastErr = err.Error()
	s.hung = isTimeout(err)
	s.trialAt = now.Add(backoff(s.failures))
	if !s.up {
		return nil
	}
	s.up, s.since = false, now
	s.epoch++
	conns := make([]*ldap.Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	clear(s.conns)
	select {
	case s.kick <- struct{}{}: // the probe loop follows the down schedule from now
	default:
	}
	h.log.Warn("directory server down; using the others until it answers again",
		"url", s.url, "err", err, "hung", s.hung)
	return conns
}

// answered records that server i answered on a connection of epoch. For
// a server that is down, that was a trial or a probe: it is up again.
func (h *servers) answered(i int, epoch uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.list[i]
	now := h.now()
	if s.epoch != epoch {
		return
	}
	s.answer = now
	if s.up {
		return
	}
	h.log.Warn("directory server up again", "url", s.url,
		"downFor", now.Sub(s.since).Round(time.Millisecond), "failures", s.failures)
	s.up, s.since, s.failures, s.hung = true, now, 0, false
}

// isUp tells whether server i is up, and its epoch.
func (h *servers) isUp(i int) (uint64, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.list[i].epoch, h.list[i].up
}

// suspect asks the probe loop of server i to probe it now: an operation
// on it is taking long.
func (h *servers) suspect(i int) {
	select {
	case h.list[i].kick <- struct{}{}:
	default: // a probe is due already
	}
}

// states returns a snapshot of every server, in configured order.
func (h *servers) states() []ServerState {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]ServerState, len(h.list))
	for i, s := range h.list {
		out[i] = ServerState{URL: s.url, Up: s.up, Since: s.since, LastError: s.lastErr, Failures: s.failures}
	}
	return out
}

// downError names every server and why it is down; nil if one is up.
func (h *servers) downError() error {
	var parts []string
	for _, s := range h.states() {
		if s.Up {
			return nil
		}
		parts = append(parts, fmt.Sprintf("%s down since %s: %s",
			s.URL, s.Since.Format(time.RFC3339), s.LastError))
	}
	return errors.New("every directory server is down: " + strings.Join(parts, "; "))
}

func backoff(failures int) time.Duration {
	d := trialBackoff
	for n := 1; n < failures && d < trialBackoffMax; n++ {
		d *= 2
	}
	return min(d, trialBackoffMax)
}
