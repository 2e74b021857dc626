package provider

import (
	"encoding/json"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// contentSecurityPolicy forbids framing (click-jacking of the login and
// consent pages) and every resource that is not our own.
var contentSecurityPolicy = templates.ContentSecurityPolicy()

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status a handler wrote, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// logRequests logs one line per request. The query string is left out on
// purpose: it can carry codes, tokens and other secrets.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration", time.Since(start).Round(time.Microsecond), "remote", r.RemoteAddr)
	})
}

// recoverPanics turns a panic into a logged stack and a plain 500 whose body
// says nothing of the cause.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v) // net/http's own signal to drop the connection quietly
			}
			s.log.Error("panic while serving", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			oauth.ErrServerError().WriteJSON(w)
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) serveHome(w http.ResponseWriter, r *http.Request) {
	err := s.pages.Home(w, templates.HomePage{
		Lang:         templates.ChooseLang(nil, r.Header.Get("Accept-Language")),
		Issuer:       s.issuer.String(),
		DiscoveryURL: s.endpoint("/.well-known/openid-configuration"),
		JWKSURL:      s.endpoint("/jwks.json"),
		TryURL:       s.tryURL(),
	})
	if err != nil {
		s.log.Error("render home page", "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
	}
}

// tryURL links the start page to the demo, when it is served.
func (s *Server) tryURL() string {
	if s.demo == nil {
		return ""
	}
	return s.endpoint("/demo")
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, http.StatusNotFound, "not_found", "There is nothing at this address.")
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, http.StatusMethodNotAllowed, "method_not_allowed", "This address does not accept "+r.Method+" requests.")
}

// fail answers a person with a page in their language, and a program with
// JSON. code is also the page's kind in the catalog.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	if wantsHTML(r) {
		err := s.pages.Error(w, status, templates.ErrorPage{
			Lang: templates.ChooseLang(nil, r.Header.Get("Accept-Language")), Kind: code, Code: code,
		})
		if err == nil {
			return
		}
		s.log.Error("render error page", "err", err)
	}
	writeJSON(w, status, map[string]string{"error": code, "error_description": message})
}

func wantsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// An error here means the client went away; there is no one to tell.
	_ = json.NewEncoder(w).Encode(v)
}
