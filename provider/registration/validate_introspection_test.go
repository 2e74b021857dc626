package registration

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

func TestIntrospectionMetadata(t *testing.T) {
	keys := json.RawMessage(`{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","use":"enc","kid":"e"}]}`)
	tests := []struct {
		name   string
		extra  map[string]string
		public bool
		member string // "" when accepted
	}{
		{"signed PS256", map[string]string{"introspection_signed_response_alg": `"PS256"`}, false, ""},
		{"signed and encrypted", map[string]string{"introspection_signed_response_alg": `"ES256"`, "introspection_encrypted_response_alg": `"ECDH-ES"`}, false, ""},
		{"unknown signing algorithm", map[string]string{"introspection_signed_response_alg": `"XS999"`}, false, "introspection_signed_response_alg"},
		{"not a string", map[string]string{"introspection_signed_response_alg": `256`}, false, "introspection_signed_response_alg"},
		{"enc without alg", map[string]string{"introspection_encrypted_response_enc": `"A128GCM"`}, false, "introspection_encrypted_response_enc"},
		{"unknown enc", map[string]string{"introspection_encrypted_response_alg": `"ECDH-ES"`, "introspection_encrypted_response_enc": `"A1GCM"`}, false, "introspection_encrypted_response_enc"},
		{"HS256 for a public client", map[string]string{"introspection_signed_response_alg": `"HS256"`}, true, "introspection_signed_response_alg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := oauth.Metadata{RedirectURIs: []string{"https://app.example/cb"}, JWKS: keys, Extra: map[string]json.RawMessage{}}
			for k, v := range tc.extra {
				m.Extra[k] = json.RawMessage(v)
			}
			if tc.public {
				m.TokenEndpointAuthMethod = "none"
			}
			err := validate(&m, testPolicy, false)
			switch {
			case tc.member == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.member != "" && (err == nil || !strings.Contains(err.Description, tc.member)):
				t.Fatalf("got %v, want a refusal naming %s", err, tc.member)
			}
		})
	}
}
