package main

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // RFC 6238
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// totpNow computes the RFC 6238 code of secret (base32) for the step at t.
func totpAt(t *testing.T, secret string, at time.Time) string {
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		t.Fatal(err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(at.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:off+4])&0x7fffffff)%1_000_000)
}

var (
	secretText     = regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`)
	enrolmentField = regexp.MustCompile(`name="enrolment" value="([^"]*)"`)
)

// startStrongServer is startSignInServer with second factors kept in
// the dev directory's ou=authenticators.
func startStrongServer(t *testing.T) *server {
	t.Helper()
	slapd := ldaptest.New(t, ldaptest.Options{LDIF: []string{"../../conf/dev-directory.ldif"}})
	pwFile := writeFile(t, t.TempDir(), "ldap-password", slapd.AdminPassword)
	sum := sha256.Sum256([]byte(signInMasterToken))
	return startServe(t, fmt.Sprintf(`issuer: http://127.0.0.1:8080
listen: 127.0.0.1:0
keys: {file: %s/jwks.json}
ldap:
  urls: [%s]
  bindDN: %s
  bindPasswordFile: %s
  authenticators: {baseDN: "ou=authenticators,dc=example,dc=org"}
op:
  reg: {masterTokenSHA256: %s}
  secrets: {argon2id: {memoryKiB: 1024, iterations: 1, parallelism: 1}}
  authn: {secondFactor: optional}
`, t.TempDir(), slapd.URL, slapd.AdminDN, pwFile, hex.EncodeToString(sum[:])))
}

// signInAs posts the password and returns where the sign-in goes next.
func signInAs(t *testing.T, b *browser, authorize string) page {
	t.Helper()
	p := b.do(http.MethodGet, authorize, nil)
	if !isLoginPage(p) {
		t.Fatalf("authorize: %d %q", p.status, p.location)
	}
	f := formFields(t, b.next(p))
	f.Set("username", "alice")
	f.Set("password", "alice-password")
	return b.do(http.MethodPost, "/login", f)
}

// Step-up from a password to a second factor with acr_values: the person
// enrols an authenticator app (secret read from the page), the ID token
// says mfa; a code is good once; with the app enrolled the next sign-in
// asks for its code, and recovery codes work once.
func TestStrongSignInTOTPStepUp(t *testing.T) {
	s := startStrongServer(t)
	const redirectURI = "http://127.0.0.1:9/callback"
	clientID := registerHybrid(t, s, redirectURI)
	hybrid := url.Values{"response_type": {"code id_token"}}

	var disc struct {
		ACR []string `json:"acr_values_supported"`
	}
	resp, err := http.Get(s.base + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&disc)
	resp.Body.Close()
	if strings.Join(disc.ACR, " ") != "urn:gatehouse:acr:pwd urn:gatehouse:acr:mfa" {
		t.Errorf("acr_values_supported = %v", disc.ACR)
	}

	// A password alone is enough for a client that asks nothing more.
	b := newBrowser(t, s)
	if p := signInAs(t, b, authorizeURL(clientID, redirectURI, hybrid)); !isConsentPage(p) {
		t.Fatalf("password sign-in: %d %q", p.status, p.location)
	}

	// acr_values=mfa steps the same session up: /mfa, not the password.
	mfaACR := url.Values{"acr_values": {"urn:gatehouse:acr:mfa"}, "response_type": {"code id_token"}}
	p := b.do(http.MethodGet, authorizeURL(clientID, redirectURI, mfaACR), nil)
	if !strings.HasPrefix(p.location, "/mfa?flow=") {
		t.Fatalf("step-up: %d %q", p.status, p.location)
	}
	enrol := b.next(p)
	for _, want := range []string{`autocomplete="one-time-code"`, `inputmode="numeric"`, `src="data:image/png;base64,`} {
		if !strings.Contains(enrol.body, want) {
			t.Errorf("enrolment page lacks %s", want)
		}
	}
	secret := secretText.FindStringSubmatch(enrol.body)
	sealed := enrolmentField.FindStringSubmatch(enrol.body)
	if secret == nil || sealed == nil {
		t.Fatalf("no secret on the enrolment page:\n%s", enrol.body)
	}
	f := formFields(t, enrol)
	f.Set("enrolment", html.UnescapeString(sealed[1]))
	f.Set("action", "enrol")
	f.Set("code", "000000")
	if p := b.do(http.MethodPost, "/mfa", f); !strings.Contains(p.body, `role="alert"`) {
		t.Errorf("wrong enrolment code accepted: %d", p.status)
	}
	f.Set("code", totpAt(t, secret[1], time.Now()))
	codes := b.do(http.MethodPost, "/mfa", f)
	recovery := regexp.MustCompile(`<li><code>([a-z0-9-]+)</code></li>`).FindAllStringSubmatch(codes.body, -1)
	if len(recovery) != 10 {
		t.Fatalf("%d recovery codes shown:\n%s", len(recovery), codes.body)
	}
	cont := formFields(t, codes)
	cont.Set("action", "continue")
	p = b.do(http.MethodPost, "/mfa", cont)
	if !isConsentPage(p) {
		t.Fatalf("after enrolment: %d %q", p.status, p.location)
	}
	cf := formFields(t, b.next(p))
	cf.Set("decision", "allow")
	claims := verifyIDToken(t, s, fragmentParams(t, b.do(http.MethodPost, "/consent", cf), redirectURI).Get("id_token"))
	if claims["acr"] != "urn:gatehouse:acr:mfa" || fmt.Sprint(claims["amr"]) != "[pwd otp mfa]" {
		t.Errorf("acr %v amr %v, want mfa and [pwd otp mfa]", claims["acr"], claims["amr"])
	}

	// A new browser: the password, then the app's code (enrolled now,
	// so asked under the optional policy even without acr_values). The
	// code used for the enrolment is refused: each code is good once.
	b2 := newBrowser(t, s)
	p = signInAs(t, b2, authorizeURL(clientID, redirectURI, hybrid))
	if !strings.HasPrefix(p.location, "/mfa?flow=") {
		t.Fatalf("second sign-in: %d %q", p.status, p.location)
	}
	challenge := b2.next(p)
	if strings.Contains(challenge.body, "totp-secret") {
		t.Fatal("enrolled person asked to enrol again")
	}
	cf2 := formFields(t, challenge)
	cf2.Set("action", "code")
	cf2.Set("code", f.Get("code"))
	if p := b2.do(http.MethodPost, "/mfa", cf2); !strings.Contains(p.body, `role="alert"`) {
		t.Errorf("a used code was accepted again: %d %q", p.status, p.location)
	}
	// A recovery code works once.
	cf2.Set("action", "recovery")
	cf2.Set("code", recovery[0][1])
	if p := b2.do(http.MethodPost, "/mfa", cf2); !strings.HasPrefix(p.location, redirectURI+"#") {
		t.Errorf("recovery code refused: %d %q\n%s", p.status, p.location, p.body)
	}
	b3 := newBrowser(t, s)
	p = signInAs(t, b3, authorizeURL(clientID, redirectURI, hybrid))
	cf3 := formFields(t, b3.next(p))
	cf3.Set("action", "recovery")
	cf3.Set("code", recovery[0][1])
	if p := b3.do(http.MethodPost, "/mfa", cf3); !strings.Contains(p.body, `role="alert"`) {
		t.Errorf("a used recovery code was accepted again: %d", p.status)
	}
}

// registerHybrid registers a client that gets its ID token from the
// authorization endpoint (code id_token), to read acr and amr from it.
func registerHybrid(t *testing.T, s *server, redirectURI string) string {
	t.Helper()
	body := fmt.Sprintf(`{"redirect_uris":[%q],"response_types":["code id_token"],`+
		`"grant_types":["authorization_code","implicit"],"scope":"openid profile"}`, redirectURI)
	req, _ := http.NewRequest(http.MethodPost, s.base+"/clients", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+signInMasterToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reg struct {
		ClientID string `json:"client_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reg); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %v", resp.StatusCode, err)
	}
	return reg.ClientID
}
