package registration

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

func TestValidateDPoPBoundAccessTokens(t *testing.T) {
	tests := []struct {
		name, value string
		ok          bool
	}{
		{"true", "true", true},
		{"false", "false", true},
		{"a string", `"true"`, false},
		{"a number", "1", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := webClient()
			m.Extra = map[string]json.RawMessage{"dpop_bound_access_tokens": json.RawMessage(tc.value)}
			err := validate(&m, testPolicy, false)
			switch {
			case tc.ok && err != nil:
				t.Fatalf("refused: %v", err)
			case !tc.ok && (err == nil || err.Code != "invalid_client_metadata" || !strings.HasPrefix(err.Description, "dpop_bound_access_tokens: ")):
				t.Fatalf("got %v, want invalid_client_metadata naming the member", err)
			}
			if tc.ok && m.DPoPBoundAccessTokens() != (tc.value == "true") {
				t.Errorf("DPoPBoundAccessTokens() = %v", m.DPoPBoundAccessTokens())
			}
		})
	}
	if (oauth.Metadata{}).DPoPBoundAccessTokens() {
		t.Error("no member reads as true")
	}
}
