package registration

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// dnStore plays a directory that cannot even name an entry for a very
// long ID (OpenLDAP: invalidDNSyntax beyond 8 KiB), and counts the
// requests that reached it with an ID over the limit.
type dnStore struct {
	ClientStore
	overlong int
}

var errInvalidDN = errors.New(`LDAP Result Code 34 "Invalid DN Syntax"`)

func (s *dnStore) refuse(id string) bool {
	if len(id) > oauth.MaxClientID {
		s.overlong++
	}
	return len(id) > 8000
}

func (s *dnStore) Get(ctx context.Context, id string) (oauth.Client, error) {
	if s.refuse(id) {
		return oauth.Client{}, errInvalidDN
	}
	return s.ClientStore.Get(ctx, id)
}

func (s *dnStore) Update(ctx context.Context, id string, fn func(oauth.Client) (oauth.Client, error)) (oauth.Client, error) {
	if s.refuse(id) {
		return oauth.Client{}, errInvalidDN
	}
	return s.ClientStore.Update(ctx, id, fn)
}

func (s *dnStore) Delete(ctx context.Context, id string) error {
	if s.refuse(id) {
		return errInvalidDN
	}
	return s.ClientStore.Delete(ctx, id)
}

// newDNEnv is newEnv over a dnStore.
func newDNEnv(t *testing.T) (*env, *dnStore) {
	t.Helper()
	e := newEnv(t)
	store := &dnStore{ClientStore: e.store}
	svc, err := NewService(Options{Store: store, Codec: e.codec, Verifier: e.verifier,
		Config: Config{MasterTokenSHA256: testMasterSHA256, Policy: testPolicy}, Endpoint: testEndpoint, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	e.http = router(NewHandler(svc, nil))
	return e, store
}

// TestOverlongClientID: /clients/{id} with an ID beyond the limit answers
// exactly as for a client that does not exist, never with a server error,
// without echoing the ID and without asking the store.
func TestOverlongClientID(t *testing.T) {
	e, store := newDNEnv(t)
	own := e.register(t, `{"redirect_uris":["https://rp.example.com/cb"]}`)
	huge := strings.Repeat("c", 100<<10)
	over := strings.Repeat("c", oauth.MaxClientID+1)
	foreign := "random." + base64.RawURLEncoding.EncodeToString([]byte(huge))
	body := `{"redirect_uris":["https://rp.example.com/cb"]}`
	tests := []struct {
		name, method, id, token, body string
		wantStatus                    int
		wantError                     string
	}{
		{name: "GET, master", method: http.MethodGet, id: huge, token: testMasterToken, wantStatus: 404, wantError: "not_found"},
		{name: "GET one over, master", method: http.MethodGet, id: over, token: testMasterToken, wantStatus: 404, wantError: "not_found"},
		{name: "GET, no token", method: http.MethodGet, id: huge, wantStatus: 401, wantError: "invalid_token"},
		{name: "GET, another client's token", method: http.MethodGet, id: huge, token: own.RegistrationToken, wantStatus: 403, wantError: "insufficient_scope"},
		{name: "GET, garbage token", method: http.MethodGet, id: huge, token: "garbage", wantStatus: 401, wantError: "invalid_token"},
		{name: "GET own entry, token naming a huge ID", method: http.MethodGet, id: own.Client.ID, token: foreign, wantStatus: 401, wantError: "invalid_token"},
		{name: "PUT, master", method: http.MethodPut, id: huge, token: testMasterToken, body: body, wantStatus: 404, wantError: "not_found"},
		{name: "DELETE, master", method: http.MethodDelete, id: huge, token: testMasterToken, wantStatus: 404, wantError: "not_found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := e.do(t, tc.method, "/clients/"+tc.id, tc.token, tc.body)
			if res.status != tc.wantStatus || res.str("error") != tc.wantError {
				t.Errorf("%d %.200s, want %d %s", res.status, res.body, tc.wantStatus, tc.wantError)
			}
			if strings.Contains(res.body, over) || strings.Contains(res.header.Get("WWW-Authenticate"), over) {
				t.Error("the answer echoes the ID")
			}
		})
	}
	if store.overlong != 0 {
		t.Errorf("%d requests with an overlong ID reached the store", store.overlong)
	}
}

// TestClientIDAtLimit: an ID of exactly the limit is registered, read and
// deleted as any other; one byte more cannot be registered.
func TestClientIDAtLimit(t *testing.T) {
	e, _ := newDNEnv(t)
	id := strings.Repeat("c", oauth.MaxRegisteredClientID)
	e.register(t, `{"preferred_client_id":"`+id+`","redirect_uris":["https://rp.example.com/cb"]}`)
	if res := e.do(t, http.MethodGet, "/clients/"+id, testMasterToken, ""); res.status != http.StatusOK || res.str("client_id") != id {
		t.Errorf("read: %d %.200s", res.status, res.body)
	}
	if res := e.do(t, http.MethodDelete, "/clients/"+id, testMasterToken, ""); res.status != http.StatusNoContent {
		t.Errorf("delete: %d %.200s", res.status, res.body)
	}
	_, err := e.svc.Create(context.Background(), parse(t, `{"preferred_client_id":"`+id+`c","redirect_uris":["https://rp.example.com/cb"]}`), Master)
	var oe *oauth.Error
	if !errors.As(err, &oe) || oe.Code != "invalid_client_metadata" {
		t.Errorf("register one byte over: %v", err)
	}
}

// TestRedirectURILengthAtRegistration: a redirect URI the authorization
// endpoint would refuse cannot be registered.
func TestRedirectURILengthAtRegistration(t *testing.T) {
	e := newEnv(t)
	prefix := "https://rp.example.com/cb?p="
	tests := []struct {
		name     string
		length   int
		wantCode string
	}{
		{"at the limit", oauth.MaxRedirectURI, ""},
		{"one byte over", oauth.MaxRedirectURI + 1, "invalid_redirect_uri"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			uri := prefix + strings.Repeat("a", tc.length-len(prefix))
			_, err := e.svc.Create(context.Background(), parse(t, `{"redirect_uris":["`+uri+`"]}`), Master)
			var oe *oauth.Error
			switch {
			case tc.wantCode == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.wantCode != "" && (!errors.As(err, &oe) || oe.Code != tc.wantCode || len(oe.Description) > 300):
				t.Errorf("got %v", err)
			}
		})
	}
}
