package tokens

import "testing"

func TestNeedsGroups(t *testing.T) {
	tests := []struct {
		name             string
		scopes, requests []string
		groupsClaim      string
		want             bool
	}{
		{"groups scope", []string{"openid", "groups"}, nil, "groups", true},
		{"groups claim requested", []string{"openid"}, []string{"groups"}, "groups", true},
		{"renamed claim requested", []string{"openid"}, []string{"memberOf"}, "memberOf", true},
		{"profile only", []string{"openid", "profile"}, []string{"email"}, "groups", false},
		{"no groups claim configured", []string{"groups"}, []string{"groups"}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := NeedsGroups(tc.scopes, tc.requests, tc.groupsClaim); got != tc.want {
				t.Errorf("NeedsGroups = %v, want %v", got, tc.want)
			}
			// Whatever NeedsGroups says false to must not release the claim.
			all := map[string]any{tc.groupsClaim: []string{"staff"}, "name": "Bob"}
			if _, released := ReleasedClaims(all, tc.scopes, tc.requests, tc.groupsClaim)[tc.groupsClaim]; released && !tc.want && tc.groupsClaim != "" {
				t.Errorf("groups released though NeedsGroups is false")
			}
		})
	}
}
