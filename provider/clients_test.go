package provider

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// testMasterTokenSHA256 is the SHA-256 of "test-master-token".
const testMasterTokenSHA256 = "97668eaf353b9d3722ca19cb4ea08a8c37f968810595d8da9cf3f734dd2c43b6"

func TestClientRoutes(t *testing.T) {
	h := newTestServer(t, "https://idp.example.com/tenant", pinger{})
	tests := []struct {
		name, method, path string
		wantStatus         int
	}{
		{name: "register needs a token", method: http.MethodPost, path: "/tenant/clients", wantStatus: http.StatusUnauthorized},
		{name: "list needs a token", method: http.MethodGet, path: "/tenant/clients", wantStatus: http.StatusUnauthorized},
		{name: "read needs a token", method: http.MethodGet, path: "/tenant/clients/abc", wantStatus: http.StatusUnauthorized},
		{name: "update needs a token", method: http.MethodPut, path: "/tenant/clients/abc", wantStatus: http.StatusUnauthorized},
		{name: "delete needs a token", method: http.MethodDelete, path: "/tenant/clients/abc", wantStatus: http.StatusUnauthorized},
		{name: "no PATCH", method: http.MethodPatch, path: "/tenant/clients/abc", wantStatus: http.StatusMethodNotAllowed},
		{name: "not outside the issuer path", method: http.MethodGet, path: "/clients", wantStatus: http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, strings.NewReader("{}")))
			if rec.Code != tc.wantStatus {
				t.Fatalf("%s %s = %d, want %d: %s", tc.method, tc.path, rec.Code, tc.wantStatus, rec.Body)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q", cc)
			}
			if tc.wantStatus == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("WWW-Authenticate = %q", rec.Header().Get("WWW-Authenticate"))
			}
		})
	}
}

func TestDiscoveryNamesRegistrationEndpoint(t *testing.T) {
	h := newTestServer(t, "https://idp.example.com/tenant", pinger{})
	var doc map[string]any
	if err := json.Unmarshal(get(t, h, "/tenant/.well-known/openid-configuration").Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc["registration_endpoint"]; got != "https://idp.example.com/tenant/clients" {
		t.Errorf("registration_endpoint = %v", got)
	}
}

func TestRegisterThroughRouter(t *testing.T) {
	h := newTestServer(t, "https://idp.example.com/tenant", pinger{})
	req := httptest.NewRequest(http.MethodPost, "/tenant/clients",
		strings.NewReader(`{"redirect_uris":["https://rp.example.com/cb"],"client_name":"RP"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer test-master-token")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("register = %d: %s", rec.Code, rec.Body)
	}
	var got struct {
		ClientID  string `json:"client_id"`
		URI       string `json:"registration_client_uri"`
		Token     string `json:"registration_access_token"`
		Secret    string `json:"client_secret"`
		ExpiresAt *int64 `json:"client_secret_expires_at"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.ClientID == "" || got.Token == "" || got.Secret == "" || got.ExpiresAt == nil || *got.ExpiresAt != 0 {
		t.Fatalf("response lacks issued values: %s", rec.Body)
	}
	if want := "https://idp.example.com/tenant/clients/" + got.ClientID; got.URI != want {
		t.Errorf("registration_client_uri = %q, want %q", got.URI, want)
	}
	rec = get(t, h, "/tenant/clients/"+got.ClientID, "Authorization", "Bearer "+got.Token)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"client_name":"RP"`) {
		t.Errorf("read with the registration token = %d: %s", rec.Code, rec.Body)
	}
}
