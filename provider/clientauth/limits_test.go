package clientauth

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// TestInputLimits: a client_id or client_secret beyond its limit is
// invalid_client, as for an unknown client or a wrong secret, and the
// directory is not asked; at the limit the client is looked up as usual.
func TestInputLimits(t *testing.T) {
	longID := strings.Repeat("c", oauth.MaxClientID)
	tooLongID := longID + "c"
	tests := []struct {
		name      string
		header    http.Header
		form      url.Values
		want      outcome
		wantAsked bool
	}{
		{name: "basic id at the limit", header: basicHeader(longID, basicSecret),
			want: refused(401, errUnknownClient), wantAsked: true},
		{name: "basic id one byte over", header: basicHeader(tooLongID, basicSecret),
			want: refused(401, errUnknownClient)},
		{name: "basic id of 100 KB", header: basicHeader(strings.Repeat("c", 100<<10), basicSecret),
			want: refused(401, errUnknownClient)},
		{name: "post id at the limit", form: form("client_id", longID, "client_secret", postSecret),
			want: refused(401, errUnknownClient), wantAsked: true},
		{name: "post id one byte over", form: form("client_id", tooLongID, "client_secret", postSecret),
			want: refused(401, errUnknownClient)},
		{name: "public id one byte over", form: form("client_id", tooLongID),
			want: refused(401, errUnknownClient)},
		{name: "assertion sub one byte over", form: assertionForm(sign(t, "RS256", testKeys().rsa, "rsa-1", claims(tooLongID, start, nil))),
			want: refused(401, errUnknownClient)},
		{name: "basic secret at the limit", header: basicHeader("basic", strings.Repeat("s", oauth.MaxClientSecret)),
			want: refused(401, errWrongSecret), wantAsked: true},
		{name: "basic secret one byte over", header: basicHeader("basic", strings.Repeat("s", oauth.MaxClientSecret+1)),
			want: refused(401, errWrongSecret)},
		{name: "post secret one byte over", form: form("client_id", "post", "client_secret", strings.Repeat("s", oauth.MaxClientSecret+1)),
			want: refused(401, errWrongSecret)},
		{name: "assertion one byte over", form: assertionForm(strings.Repeat("a", oauth.MaxClientAssertion+1)),
			want: refused(401, errMalformedJWT)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			res, e := f.auth.Authenticate(context.Background(), tc.header, tc.form)
			tc.want.check(t, res, e)
			if asked := f.lookups.Load() > 0; asked != tc.wantAsked {
				t.Errorf("directory asked: %v, want %v", asked, tc.wantAsked)
			}
			if e != nil && len(e.Description) > 100 {
				t.Errorf("description of %d bytes", len(e.Description))
			}
		})
	}
}
