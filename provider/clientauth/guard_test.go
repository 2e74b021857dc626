package clientauth

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/netguard"
)

// A client registered openly has its jwks_uri fetched through the guard:
// the key set on loopback is out of its reach, while the same URL serves
// a client the administrator registered.
func TestJWKSURIOfOpenClientGuarded(t *testing.T) {
	f := newFixture(t)
	open := f.clients["pk-uri"].Clone()
	open.ID = "pk-uri-open"
	open.Metadata.MarkOpenlyRegistered()
	f.clients[open.ID] = open
	for _, id := range []string{"pk-uri-open", "pk-uri"} {
		body := assertionForm(sign(t, "RS256", testKeys().rsa, "uri-1", claims(id, f.clock.Now(), nil)))
		res, e := f.auth.Authenticate(context.Background(), http.Header{}, body)
		if id == "pk-uri" {
			ok(MethodPrivateKeyJWT, id).check(t, res, e)
			continue
		}
		refused(http.StatusUnauthorized, errNoKeys).check(t, res, e)
		if !errors.Is(e, netguard.ErrNonPublic) {
			t.Errorf("refused for %v, not by the guard", e.Unwrap())
		}
	}
}
