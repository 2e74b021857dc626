package oauth

import "testing"

func TestAuthorizationCovers(t *testing.T) {
	a := Authorization{Scopes: []string{"openid", "profile", "email"}}
	tests := []struct {
		name   string
		scopes []string
		want   bool
	}{
		{name: "same set", scopes: []string{"email", "openid", "profile"}, want: true},
		{name: "narrower", scopes: []string{"openid"}, want: true},
		{name: "nothing asked", scopes: nil, want: true},
		{name: "wider", scopes: []string{"openid", "groups"}, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := a.Covers(tc.scopes); got != tc.want {
				t.Errorf("Covers(%v) = %v", tc.scopes, got)
			}
		})
	}
}
