package tokens

import (
	"context"
	"errors"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/netguard"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// The encryption key of a client registered openly is fetched through
// the guard: a jwks_uri on loopback gets it no ID token, while a client
// the administrator registered with the same jwks_uri gets one.
func TestEncryptionKeyOfOpenClientGuarded(t *testing.T) {
	c := newClock()
	srv := newJWKSServer(t, clientEncKeys(t))
	m := newMinter(t, generatedSet(), c, func(o *Options) { o.Fetcher = &authorize.HTTPFetcher{Now: c.Now} })
	for _, marked := range []bool{false, true} {
		cl := client(func(md *oauth.Metadata) {
			md.JWKSURI = srv.URL + "/jwks.json"
			md.IDTokenEncryptedResponseAlg = "ECDH-ES+A128KW"
			if marked {
				md.MarkOpenlyRegistered()
			}
		})
		_, err := m.IDToken(context.Background(), sampleIDToken(cl))
		switch {
		case !marked && err != nil:
			t.Fatalf("administrator's client: %v", err)
		case marked && !errors.Is(err, netguard.ErrNonPublic):
			t.Errorf("openly registered client: err = %v, want ErrNonPublic", err)
		}
	}
	if n := srv.fetches.Load(); n != 1 {
		t.Errorf("jwks_uri fetched %d times, want once (for the administrator's client)", n)
	}
}
