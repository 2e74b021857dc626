package templates

import (
	"net/http"
	"testing"
)

// A login page answered with an error status keeps the headers of the
// page: the form on it carries a CSRF token all the same.
func TestLoginStatusKeepsHeaders(t *testing.T) {
	r := load(t)
	for _, status := range []int{0, http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		got := show(t, func(w http.ResponseWriter) error {
			return r.Login(w, LoginPage{Lang: "de", CSRF: "c", Flow: "f", Error: LoginThrottled, Status: status})
		})
		want := status
		if want == 0 {
			want = http.StatusOK
		}
		if got.status != want || got.header.Get("Cache-Control") != "no-store" || got.header.Get("Content-Language") != "de" {
			t.Errorf("Status %d: answered %d with Cache-Control %q, Content-Language %q", status, got.status,
				got.header.Get("Cache-Control"), got.header.Get("Content-Language"))
		}
	}
}
