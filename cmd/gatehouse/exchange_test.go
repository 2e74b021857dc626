package main

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// tokenRequest posts form to /token as clientID with secret (Basic).
func basicTokenRequest(t *testing.T, s *server, clientID, secret string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.base+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// jwtPayload decodes a JWT's claims without checking them.
func jwtPayload(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// TestTokenExchange trades a client's access token for one meant for an
// allowed audience, with and without an actor, and is refused an
// audience its metadata (token_exchange_audiences, kept in the directory)
// does not list, and a client without that metadata.
func TestTokenExchange(t *testing.T) {
	s := startSignInServer(t)
	register := func(extra string) (string, string) {
		got := registerWithMasterToken(t, s, `{"client_name":"svc","scope":"read write",
			"grant_types":["client_credentials","urn:ietf:params:oauth:grant-type:token-exchange"]`+extra+`}`)
		return got["client_id"].(string), got["client_secret"].(string)
	}
	subjID, subjSecret := register("")
	gwID, gwSecret := register(`,"token_exchange_audiences":["https://api.example"]`)
	ccToken := func(id, secret string) string {
		status, body := basicTokenRequest(t, s, id, secret, url.Values{"grant_type": {"client_credentials"}})
		if status != http.StatusOK {
			t.Fatalf("client_credentials: %d %v", status, body)
		}
		return body["access_token"].(string)
	}
	subjectToken, actorToken := ccToken(subjID, subjSecret), ccToken(gwID, gwSecret)
	const at = "urn:ietf:params:oauth:token-type:access_token"
	exchange := func(id, secret string, extra url.Values) (int, map[string]any) {
		form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"},
			"subject_token": {subjectToken}, "subject_token_type": {at}}
		for k, v := range extra {
			form[k] = v
		}
		return basicTokenRequest(t, s, id, secret, form)
	}

	tests := []struct {
		name      string
		id, sec   string
		extra     url.Values
		wantError string
		wantActor string
	}{
		{name: "without actor", id: gwID, sec: gwSecret, extra: url.Values{"audience": {"https://api.example"}, "scope": {"read"}}},
		{name: "with actor", id: gwID, sec: gwSecret, extra: url.Values{"audience": {"https://api.example"},
			"actor_token": {actorToken}, "actor_token_type": {at}}, wantActor: gwID},
		{name: "refused audience", id: gwID, sec: gwSecret, extra: url.Values{"audience": {"https://other.example"}}, wantError: "invalid_target"},
		{name: "client without token_exchange_audiences", id: subjID, sec: subjSecret,
			extra: url.Values{"audience": {"https://api.example"}}, wantError: "unauthorized_client"},
		{name: "wider scope", id: gwID, sec: gwSecret, extra: url.Values{"audience": {"https://api.example"}, "scope": {"admin"}}, wantError: "invalid_scope"},
		{name: "forged subject_token", id: gwID, sec: gwSecret, extra: url.Values{"audience": {"https://api.example"},
			"subject_token": {subjectToken + "x"}}, wantError: "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := exchange(tc.id, tc.sec, tc.extra)
			if tc.wantError != "" {
				if status != http.StatusBadRequest || body["error"] != tc.wantError {
					t.Fatalf("got %d %v, want 400 %s", status, body, tc.wantError)
				}
				return
			}
			if status != http.StatusOK || body["issued_token_type"] != at || body["token_type"] != "Bearer" || body["refresh_token"] != nil {
				t.Fatalf("exchange: %d %v", status, body)
			}
			claims := jwtPayload(t, body["access_token"].(string))
			if claims["sub"] != subjID || claims["aud"] != "https://api.example" && !strings.Contains(anyJSON(claims["aud"]), "https://api.example") {
				t.Errorf("claims %v", claims)
			}
			act, _ := claims["act"].(map[string]any)
			switch {
			case tc.wantActor == "" && claims["act"] != nil:
				t.Errorf("act %v without an actor", claims["act"])
			case tc.wantActor != "" && (act == nil || act["sub"] != tc.wantActor):
				t.Errorf("act %v, want sub %s", claims["act"], tc.wantActor)
			}
		})
	}
}

func anyJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
