package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// TestOpenClientFetchesGuarded runs gatehouse serve against OpenLDAP: two
// private_key_jwt clients publish their keys at the same jwks_uri on
// loopback; the one marked as openly registered (the mark survives the
// directory) cannot authenticate, as the server refuses to connect to
// loopback for it, while the administrator's client can.
func TestOpenClientFetchesGuarded(t *testing.T) {
	s := startSignInServer(t)
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key := jose.JSONWebKey{Key: priv, KeyID: "k1", Algorithm: "ES256", Use: "sig"}
	doc, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{key.Public()}})
	if err != nil {
		t.Fatal(err)
	}
	var fetches atomic.Int64
	keys := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	}))
	defer keys.Close()

	register := func(mark string) string {
		t.Helper()
		body := fmt.Sprintf(`{"grant_types":["client_credentials"],"response_types":[],"token_endpoint_auth_method":"private_key_jwt",`+
			`"token_endpoint_auth_signing_alg":"ES256","jwks_uri":%q%s}`, keys.URL+"/jwks", mark)
		req, _ := http.NewRequest(http.MethodPost, s.base+"/clients", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+signInMasterToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("register: %d %v %v", resp.StatusCode, err, got)
		}
		return got["client_id"].(string)
	}
	admin := register("")
	open := register(`,"gatehouse_open_registration":true`)

	// The mark is stored: it comes back from the directory.
	req, _ := http.NewRequest(http.MethodGet, s.base+"/clients/"+url.PathEscape(open), nil)
	req.Header.Set("Authorization", "Bearer "+signInMasterToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var read map[string]any
	err = json.NewDecoder(resp.Body).Decode(&read)
	resp.Body.Close()
	if err != nil || read["gatehouse_open_registration"] != true {
		t.Fatalf("read back: %v %v", err, read)
	}

	grant := func(id string) (int, map[string]any) {
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {clientAssertion(t, key, id, "http://127.0.0.1:8080/token")}}
		status, body, _ := tokenRequest(t, s, "", "", form)
		return status, body
	}
	if status, body := grant(admin); status != http.StatusOK {
		t.Fatalf("the administrator's client: %d %v", status, body)
	}
	if status, body := grant(open); status != http.StatusUnauthorized && status != http.StatusBadRequest || body["error"] != "invalid_client" {
		t.Errorf("the openly registered client: %d %v, want invalid_client", status, body)
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("jwks_uri reached %d times, want once (for the administrator's client)", n)
	}
}
