package provider

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/gatehouse-idp/gatehouse/provider/registration"
)

// Handler wires every route. It is the one place that says which URL reaches
// which handler; all paths hang under the issuer's path, so an issuer such as
// https://idp.example.com/tenant serves /tenant/jwks.json.
func (s *Server) Handler() http.Handler {
	root := mux.NewRouter()
	root.NotFoundHandler = http.HandlerFunc(s.notFound)
	root.MethodNotAllowedHandler = http.HandlerFunc(s.methodNotAllowed)

	// RFC 8414 §3.1: for an issuer with a path, the well-known suffix goes
	// between host and path.
	if s.issuer.Path != "" {
		root.Handle("/.well-known/oauth-authorization-server"+s.issuer.Path, http.HandlerFunc(s.serveDiscovery)).Methods(http.MethodGet, http.MethodHead)
	}

	r := root
	if s.issuer.Path != "" {
		r = root.PathPrefix(s.issuer.Path).Subrouter()
	}
	r.HandleFunc("/", s.serveHome).Methods(http.MethodGet, http.MethodHead)
	r.PathPrefix("/static/").Handler(http.StripPrefix(s.issuer.Path+"/static", s.pages.Static())).Methods(http.MethodGet, http.MethodHead)

	r.HandleFunc("/.well-known/openid-configuration", s.serveDiscovery).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/.well-known/oauth-authorization-server", s.serveDiscovery).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/jwks.json", s.serveJWKS).Methods(http.MethodGet, http.MethodHead)

	r.HandleFunc("/health/live", s.serveLive).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/health/ready", s.serveReady).Methods(http.MethodGet, http.MethodHead)

	// Client registration (RFC 7591) and management (RFC 7592).
	if c := s.clients; c != nil {
		entry := "/clients/{" + registration.PathVar + "}"
		r.HandleFunc("/clients", c.Register).Methods(http.MethodPost)
		r.HandleFunc("/clients", c.List).Methods(http.MethodGet)
		r.HandleFunc(entry, c.Read).Methods(http.MethodGet)
		r.HandleFunc(entry, c.Replace).Methods(http.MethodPut)
		r.HandleFunc(entry, c.Delete).Methods(http.MethodDelete)
	}

	return s.recoverPanics(s.logRequests(securityHeaders(root)))
}
