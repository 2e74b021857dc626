package provider

import (
	"net/http"
	"testing"

	"github.com/gorilla/mux"
)

// TestServes: the account page links to the passkey enrolment only when
// a route serves it, under the issuer's path too.
func TestServes(t *testing.T) {
	root := mux.NewRouter()
	root.Handle("/mfa", http.NotFoundHandler())
	tenant := root.PathPrefix("/tenant").Subrouter()
	tenant.Handle("/mfa/passkey/enrol", http.NotFoundHandler())
	tests := []struct {
		name string
		r    *mux.Router
		path string
		want bool
	}{
		{"served under the prefix", tenant, "/tenant/mfa/passkey/enrol", true},
		{"not served", root, "/mfa/passkey/enrol", false},
		{"another route only", root, "/mfa/passkey", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := serves(tc.r, tc.path); got != tc.want {
				t.Errorf("serves(%q) = %v, want %v", tc.path, got, tc.want)
			}
		})
	}
}
