package provider

import (
	"context"
	"net/http"
	"time"
)

// readyTimeout bounds the directory check behind /health/ready, so that a
// hanging directory makes the probe fail rather than hang.
const readyTimeout = 2 * time.Second

type healthBody struct {
	Status    string `json:"status"`
	Directory string `json:"directory,omitempty"`
}

// serveLive answers as long as the process serves HTTP.
func (s *Server) serveLive(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, healthBody{Status: "ok"})
}

// serveReady answers 200 only while the directory answers: without it no
// one can sign in and no client can be authenticated.
func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := s.directory.Ping(ctx); err != nil {
		s.log.Warn("readiness check: directory does not answer", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, healthBody{Status: "unavailable", Directory: "unreachable"})
		return
	}
	writeJSON(w, http.StatusOK, healthBody{Status: "ready", Directory: "ok"})
}
