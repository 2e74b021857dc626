package tokens

import (
	"context"
	"errors"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// FuzzParseAccessToken: no input panics, every refusal is ErrInvalidToken,
// and nothing but a token of ours is accepted.
func FuzzParseAccessToken(f *testing.F) {
	m := newMinter(f, generatedSet(), newClock())
	good, _, err := m.AccessToken(context.Background(), sampleAccessToken())
	if err != nil {
		f.Fatal(err)
	}
	idToken, err := m.IDToken(context.Background(), sampleIDToken(client(nil)))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{good, idToken, "", ".", "..", "a.b.c", "a.b.c.d.e", good + "x", "eyJhbGciOiJub25lIn0.e30."} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		claims, err := m.ParseAccessToken(context.Background(), token)
		switch {
		case err != nil && !errors.Is(err, ErrInvalidToken):
			t.Fatalf("error %v does not wrap ErrInvalidToken", err)
		case err == nil && token != good:
			t.Fatalf("accepted %q as %+v", token, claims)
		}
	})
}

// FuzzCheckIDTokenHint: no input panics, and every refusal is
// ErrInvalidToken when the lookup itself works.
func FuzzCheckIDTokenHint(f *testing.F) {
	m := newMinter(f, generatedSet(), newClock())
	web := client(func(md *oauth.Metadata) { md.IDTokenSignedResponseAlg = "HS256" })
	hint, err := m.IDToken(context.Background(), sampleIDToken(web))
	if err != nil {
		f.Fatal(err)
	}
	lookup := func(_ context.Context, id string) (oauth.Client, error) {
		if id == "web" {
			return web, nil
		}
		return oauth.Client{}, storage.ErrNotFound
	}
	for _, seed := range []string{hint, "", "a.b.c", "a.b.c.d.e", "eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0....", hint[:len(hint)-3]} {
		f.Add(seed, "")
		f.Add(seed, "web")
	}
	f.Fuzz(func(t *testing.T, hint, clientID string) {
		if _, err := m.CheckIDTokenHint(context.Background(), hint, clientID, lookup); err != nil && !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("error %v does not wrap ErrInvalidToken", err)
		}
	})
}
