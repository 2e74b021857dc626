package registration

import (
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

func TestOpenBackchannelLogoutURI(t *testing.T) {
	tests := []struct {
		uri       string
		open, bad bool
	}{
		{"https://rp.example.com/logout", true, false},
		{"http://127.0.0.1:9/logout", true, true},
		{"https://127.0.0.1/logout", true, true},
		{"https://10.1.2.3/logout", true, true},
		{"https://[::1]/logout", true, true},
		{"https://169.254.169.254/latest", true, true},
		{"https://localhost/logout", true, true},
		{"https://[::ffff:192.168.1.1]/x", true, true},
		{"http://127.0.0.1:9/logout", false, false}, // with a token: internal RPs are fine
		{"https://10.1.2.3/logout", false, false},
	}
	for _, tc := range tests {
		m := oauth.Metadata{RedirectURIs: []string{"https://rp.example.com/cb"}, BackchannelLogoutURI: tc.uri}
		err := validate(&m, testPolicy, tc.open)
		if got := err != nil && strings.Contains(err.Description, "backchannel_logout_uri"); got != tc.bad {
			t.Errorf("%s (open %v): %v", tc.uri, tc.open, err)
		}
	}
}
