package authorize

import (
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

func TestClientMode(t *testing.T) {
	signed := oauth.Client{Metadata: oauth.Metadata{AuthorizationSignedResponseAlg: "ES256"}}
	all := []string{ModeQuery, ModeFragment, ModeFormPost, ModeQueryJWT, ModeFragmentJWT, ModeFormPostJWT, ModeJWT}
	for _, tc := range []struct {
		name    string
		mode    string
		client  oauth.Client
		enabled []string
		want    string
	}{
		{name: "plain client keeps its mode", mode: ModeQuery, enabled: all, want: ModeQuery},
		{name: "query becomes query.jwt", mode: ModeQuery, client: signed, enabled: all, want: ModeQueryJWT},
		{name: "fragment becomes fragment.jwt", mode: ModeFragment, client: signed, enabled: all, want: ModeFragmentJWT},
		{name: "form_post becomes form_post.jwt", mode: ModeFormPost, client: signed, enabled: all, want: ModeFormPostJWT},
		{name: "JWT mode stays", mode: ModeFragmentJWT, client: signed, enabled: all, want: ModeFragmentJWT},
		{name: "JWT form not served", mode: ModeQuery, client: signed, enabled: []string{ModeQuery, ModeFragmentJWT}, want: ModeQuery},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := clientMode(tc.mode, tc.client, tc.enabled); got != tc.want {
				t.Errorf("clientMode(%q) = %q, want %q", tc.mode, got, tc.want)
			}
		})
	}
}
