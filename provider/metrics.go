package provider

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"
)

// HTTPObserver hears of every answered request (internal/telemetry's
// Metrics). route is the path template of the route that matched, such as
// "/clients/{client_id}", or UnmatchedRoute: never the path itself, whose
// values are not bounded. method is as the client sent it.
type HTTPObserver interface {
	ObserveHTTP(route, method string, status int, d time.Duration)
}

// UnmatchedRoute is the route of requests no route matched (404s).
const UnmatchedRoute = "unmatched"

type routeKey struct{}

// observeRequests times each request and reports it with its route and
// final status (the deadline guard's 503 included) to the HTTPObserver.
// The route is noted by noteRoute, inside the router, into a slot this
// puts in the request's context: the handler may still run on its own
// goroutine when the guard has answered, so the slot is atomic.
func (s *Server) observeRequests(next http.Handler) http.Handler {
	if s.httpMetrics == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		var route atomic.Pointer[string]
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), routeKey{}, &route)))
		name := UnmatchedRoute
		if p := route.Load(); p != nil {
			name = *p
		}
		status := rec.status
		if status == 0 {
			status = http.StatusOK // nothing written: net/http answers 200
		}
		s.httpMetrics.ObserveHTTP(name, r.Method, status, time.Since(start))
	})
}

// noteRoute is router middleware (it runs only once a route matched):
// it tells observeRequests the route's path template.
func noteRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slot, ok := r.Context().Value(routeKey{}).(*atomic.Pointer[string]); ok {
			if cur := mux.CurrentRoute(r); cur != nil {
				if tpl, err := cur.GetPathTemplate(); err == nil {
					slot.Store(&tpl)
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}
