package token

import (
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// TestCheckForm: each bounded parameter passes at its limit and is
// invalid_request one byte beyond, naming it; the verifier follows
// RFC 7636 §4.1 at both ends.
func TestCheckForm(t *testing.T) {
	verifier := strings.Repeat("v", oauth.MinCodeVerifier)
	scopes := func(n int) string {
		vals := make([]string, n)
		for i := range vals {
			vals[i] = "s"
		}
		return strings.Join(vals, " ")
	}
	tests := []struct {
		name      string
		param     string
		value     string
		wantParam string // "" when the form is fine
	}{
		{name: "verifier at the minimum", param: "code_verifier", value: verifier},
		{name: "verifier one short", param: "code_verifier", value: verifier[1:], wantParam: "code_verifier"},
		{name: "verifier at the maximum", param: "code_verifier", value: strings.Repeat("v", oauth.MaxCodeVerifier)},
		{name: "verifier one over", param: "code_verifier", value: strings.Repeat("v", oauth.MaxCodeVerifier+1), wantParam: "code_verifier"},
		{name: "verifier with a space", param: "code_verifier", value: verifier + " ", wantParam: "code_verifier"},
		{name: "verifier with every unreserved character", param: "code_verifier", value: verifier + "AZaz09-._~"},
		{name: "scope values at the limit", param: "scope", value: scopes(oauth.MaxScopeValues)},
		{name: "scope values one over", param: "scope", value: scopes(oauth.MaxScopeValues + 1), wantParam: "scope"},
	}
	for _, l := range formLimits {
		if l.Param == "code_verifier" {
			continue
		}
		tests = append(tests,
			struct{ name, param, value, wantParam string }{name: l.Param + " at the limit", param: l.Param, value: strings.Repeat("x", l.Max)},
			struct{ name, param, value, wantParam string }{name: l.Param + " one over", param: l.Param, value: strings.Repeat("x", l.Max+1), wantParam: l.Param},
		)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"grant_type": {"authorization_code"}, "code": {"c"}, tc.param: {tc.value}}
			e := checkForm(form)
			switch {
			case tc.wantParam == "" && e != nil:
				t.Errorf("refused: %v", e)
			case tc.wantParam == "":
			case e == nil:
				t.Errorf("%d bytes accepted", len(tc.value))
			case e.Code != "invalid_request" || !strings.HasPrefix(e.Description, tc.wantParam+":"):
				t.Errorf("got %v", e)
			case strings.Contains(e.Description, tc.value):
				t.Errorf("description echoes the value: %q", e.Description)
			}
		})
	}
}
