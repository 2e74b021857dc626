package tokens

import (
	"fmt"
	"maps"
	"testing"
)

func TestReleasedClaims(t *testing.T) {
	all := map[string]any{
		"name": "Ann", "email": "ann@example.com", "email_verified": true,
		"groups": []string{"admins"}, "phone_number": "+1", "nonce": "from-directory", "room": "4.12",
	}
	tests := []struct {
		name      string
		scopes    []string
		requested []string
		groups    string
		want      map[string]any
	}{
		{name: "openid only", scopes: []string{"openid"}, groups: "groups", want: map[string]any{}},
		{name: "profile", scopes: []string{"openid", "profile"}, want: map[string]any{"name": "Ann"}},
		{name: "email", scopes: []string{"email"}, want: map[string]any{"email": "ann@example.com", "email_verified": true}},
		{name: "groups configured", scopes: []string{"groups"}, groups: "groups", want: map[string]any{"groups": []string{"admins"}}},
		{name: "groups not configured", scopes: []string{"groups"}, want: map[string]any{}},
		{name: "requested claim", requested: []string{"room", "nonce"}, want: map[string]any{"room": "4.12"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ReleasedClaims(all, tc.scopes, tc.requested, tc.groups)
			if !maps.EqualFunc(got, tc.want, func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) {
				t.Errorf("ReleasedClaims = %v, want %v", got, tc.want)
			}
		})
	}
}
