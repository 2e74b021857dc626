package dpop

import "testing"

func TestMatchesURL(t *testing.T) {
	const want = "https://idp.example.org/tenant/token"
	tests := []struct {
		htu string
		ok  bool
	}{
		{"https://idp.example.org/tenant/token", true},
		{"HTTPS://IDP.EXAMPLE.ORG/tenant/token", true},
		{"https://idp.example.org:443/tenant/token", true},
		{"https://idp.example.org/tenant/token?a=b#c", true},
		{"https://idp.example.org/%74enant/token", true},
		{"https://idp.example.org/Tenant/token", false},
		{"http://idp.example.org/tenant/token", false},
		{"https://idp.example.org:8443/tenant/token", false},
		{"https://idp.example.org/tenant/token/", false},
		{"https://user@idp.example.org/tenant/token", false},
		{"/tenant/token", false},
		{"", false},
		{"ftp://idp.example.org/tenant/token", false},
	}
	for _, tc := range tests {
		if got := matchesURL(tc.htu, []string{want}); got != tc.ok {
			t.Errorf("matchesURL(%q) = %v, want %v", tc.htu, got, tc.ok)
		}
	}
	if !matchesURL("http://127.0.0.1/", []string{"http://127.0.0.1:80"}) {
		t.Error("empty path and default port")
	}
}
