package authorize

import (
	"context"
	"encoding/json"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/netguard"
)

// markSpy serves one request object and one key set, and notes whether
// each fetch was marked for the guard.
type markSpy struct {
	body             []byte
	set              jose.JSONWebKeySet
	objects, keySets []bool
}

func (s *markSpy) KeySet(ctx context.Context, _ string, _ bool) (jose.JSONWebKeySet, error) {
	s.keySets = append(s.keySets, netguard.PublicOnly(ctx))
	return s.set, nil
}

func (s *markSpy) RequestObject(ctx context.Context, _ string) ([]byte, error) {
	s.objects = append(s.objects, netguard.PublicOnly(ctx))
	return s.body, nil
}

// The request_uri and the jwks_uri of a client registered openly are
// fetched through the guard; those of other clients are not.
func TestRequestObjectFetchesOfOpenClientGuarded(t *testing.T) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(clientJWKS(), &set); err != nil {
		t.Fatal(err)
	}
	for _, marked := range []bool{true, false} {
		clients := testClients()
		c := clients["jar"]
		c.Metadata.JWKS, c.Metadata.JWKSURI = nil, "https://keys.example.com/jwks"
		if marked {
			c.Metadata.MarkOpenlyRegistered()
		}
		clients["jar"] = c
		spy := &markSpy{body: []byte(sign(t, jose.RS256, rsaKey, "rsa1", jarClaims())), set: set}
		deps := testDeps()
		deps.Clients, deps.Keys = lookup(clients), spy
		mustParse(t, getRequest(jarQuery("x", "request", "-", "request_uri", "https://objects.example.com/ro/1")), deps)
		if len(spy.objects) != 1 || spy.objects[0] != marked || len(spy.keySets) == 0 {
			t.Fatalf("marked %v: fetches of the object %v, of keys %v", marked, spy.objects, spy.keySets)
		}
		for _, g := range spy.keySets {
			if g != marked {
				t.Errorf("marked %v: key set fetches guarded %v", marked, spy.keySets)
			}
		}
	}
}
