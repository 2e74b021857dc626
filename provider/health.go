package provider

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"
)

// readyTimeout bounds the checks behind /health/ready, so that a hanging
// store makes the probe fail rather than hang.
const readyTimeout = 2 * time.Second

// ReadyCheck is one store the instance cannot serve without. Check answers
// nil while the store can take work; it should be cheap (the directory pool
// answers from the state its prober keeps) and must obey ctx.
type ReadyCheck struct {
	// Name says which store failed: "directory", "users-directory",
	// "sessions" and the like. It is shown in /health/ready.
	Name  string
	Check func(ctx context.Context) error
}

type healthBody struct {
	Status string `json:"status"`
	// Directory is kept from the first version of this document: "ok" or
	// "unreachable" for the check named "directory".
	Directory string `json:"directory,omitempty"`
	// Checks gives every check's state, "ok" or "unavailable", by name.
	Checks map[string]string `json:"checks,omitempty"`
	// Failing names the checks that failed, in order.
	Failing []string `json:"failing,omitempty"`
}

// drainState is set once shutdown has begun.
type drainState struct{ draining atomic.Bool }

// Drain marks the instance as leaving: /health/ready answers 503 from now
// on so that load balancers stop sending new work, and every answer asks
// the client to close its connection, so that kept-alive connections move
// to other instances before the listener closes.
func (s *Server) Drain() { s.drain.draining.Store(true) }

// closeWhenDraining adds Connection: close to every answer while draining.
func (s *Server) closeWhenDraining(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.drain.draining.Load() {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}

// serveLive answers as long as the process serves HTTP.
func (s *Server) serveLive(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, healthBody{Status: "ok"})
}

// serveReady answers 200 only while every store the instance needs
// answers, and never while draining. The body names what failed.
func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	if s.drain.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, healthBody{Status: "draining"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	body := healthBody{Status: "ready", Checks: make(map[string]string, len(s.ready))}
	for _, c := range s.ready {
		state := "ok"
		if err := c.Check(ctx); err != nil {
			state = "unavailable"
			body.Failing = append(body.Failing, c.Name)
			s.log.Warn("readiness check failed", "store", c.Name, "err", err)
		}
		body.Checks[c.Name] = state
		if c.Name == "directory" {
			body.Directory = map[string]string{"ok": "ok", "unavailable": "unreachable"}[state]
		}
	}
	if len(body.Failing) > 0 {
		body.Status = "unavailable"
		writeJSON(w, http.StatusServiceUnavailable, body)
		return
	}
	writeJSON(w, http.StatusOK, body)
}
