package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse-idp/gatehouse/internal/browsertest"
)

// deviceAuthz is the answer of /device_authorization.
type deviceAuthz struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int    `json:"expires_in"`
	Interval                int    `json:"interval"`
}

// registerDeviceClient registers a public client for the device grant.
func registerDeviceClient(t *testing.T, s *server) string {
	t.Helper()
	return registerWithMasterToken(t, s, `{"client_name":"Smart TV","token_endpoint_auth_method":"none",
		"scope":"openid profile","grant_types":["urn:ietf:params:oauth:grant-type:device_code"]}`)["client_id"].(string)
}

// registerWithMasterToken registers a client on a sign-in server.
func registerWithMasterToken(t *testing.T, s *server, body string) map[string]any {
	t.Helper()
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
		t.Fatalf("register: %d %v %v", resp.StatusCode, got, err)
	}
	return got
}

// startDevice asks /device_authorization for codes.
func startDevice(t *testing.T, s *server, clientID string) deviceAuthz {
	t.Helper()
	resp, err := http.PostForm(s.base+"/device_authorization", url.Values{"client_id": {clientID}, "scope": {"openid profile"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d deviceAuthz
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("device_authorization: %d %v", resp.StatusCode, err)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", resp.Header.Get("Cache-Control"))
	}
	return d
}

// pollDevice polls /token once and returns the status and JSON body.
func pollDevice(t *testing.T, s *server, clientID, deviceCode string) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(s.base+"/token", url.Values{"client_id": {clientID}, "device_code": {deviceCode},
		"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}})
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

func wantPollError(t *testing.T, s *server, clientID, deviceCode, code string) {
	t.Helper()
	status, body := pollDevice(t, s, clientID, deviceCode)
	if status != http.StatusBadRequest || body["error"] != code {
		t.Fatalf("poll: %d %v, want 400 %s", status, body, code)
	}
}

// TestDeviceFlowInChromium drives RFC 8628 end to end: a Go client polls
// while Chromium signs in on /device, enters the user code and allows;
// a second code is denied; a third expires.
func TestDeviceFlowInChromium(t *testing.T) {
	s, _ := startSignInServerWith(t, "  device: {lifetime: 5s, interval: 1s}\n")
	clientID := registerDeviceClient(t, s)

	var disc map[string]any
	resp, err := http.Get(s.base + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&disc)
	resp.Body.Close()
	if disc["device_authorization_endpoint"] != "http://127.0.0.1:8080/device_authorization" ||
		!strings.Contains(strings.Join(anyStrings(disc["grant_types_supported"]), " "), "device_code") {
		t.Fatalf("discovery: %v / %v", disc["device_authorization_endpoint"], disc["grant_types_supported"])
	}

	expiring := startDevice(t, s, clientID) // left alone: it must expire
	wantPollError(t, s, clientID, expiring.DeviceCode, "authorization_pending")

	ctx := browsertest.New(t, 2*time.Minute)
	// Signed out, /device goes through the login page and comes back.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(s.base+"/device"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "alice"),
		chromedp.SendKeys(chromedp.ID("password"), "alice-password"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("user_code")),
	); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("sign-in for /device stopped at %s: %v", loc, err)
	}

	allowed := startDevice(t, s, clientID)
	if len(allowed.UserCode) != 9 || allowed.UserCode[4] != '-' || allowed.Interval != 1 ||
		allowed.VerificationURIComplete != "http://127.0.0.1:8080/device?user_code="+allowed.UserCode {
		t.Fatalf("device authorization: %+v", allowed)
	}
	wantPollError(t, s, clientID, allowed.DeviceCode, "authorization_pending")
	wantPollError(t, s, clientID, allowed.DeviceCode, "slow_down")

	decide := func(code, decision string) {
		t.Helper()
		complete := strings.Replace(code, "http://127.0.0.1:8080", s.base, 1)
		if err := chromedp.Do(ctx,
			chromedp.Navigate(complete),
			chromedp.WaitVisible(chromedp.ID("user_code")),
			chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`button[name="decision"][value="`+decision+`"]`)),
			chromedp.Click(chromedp.CSS(`button[name="decision"][value="`+decision+`"]`)),
			chromedp.WaitVisible(chromedp.ID("device-done")),
		); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			t.Fatalf("deciding %s stopped at %s: %v", decision, loc, err)
		}
	}
	decide(allowed.VerificationURIComplete, "allow")
	status, tok := pollDevice(t, s, clientID, allowed.DeviceCode)
	if status != http.StatusOK || tok["access_token"] == nil || tok["id_token"] == nil || tok["token_type"] != "Bearer" {
		t.Fatalf("tokens: %d %v", status, tok)
	}
	wantPollError(t, s, clientID, allowed.DeviceCode, "invalid_grant") // used once

	denied := startDevice(t, s, clientID)
	decide(denied.VerificationURIComplete, "deny")
	wantPollError(t, s, clientID, denied.DeviceCode, "access_denied")

	// The first code, never decided, expires: poll at its interval until then.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body := pollDevice(t, s, clientID, expiring.DeviceCode)
		if body["error"] == "expired_token" {
			break
		}
		if body["error"] != "authorization_pending" && body["error"] != "slow_down" || time.Now().After(deadline) {
			t.Fatalf("expiring code: %v", body)
		}
		time.Sleep(time.Second) // the polling interval of RFC 8628 §3.5
	}
}

func anyStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
