package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// pushWithProof posts form to /par with Basic credentials and, when k is
// set, a DPoP proof of k for the issuer's /par URL (retrying once with
// the server's nonce, RFC 9449 §8).
func (c *dpopClient) pushWithProof(k *dpopKey, clientID, secret string, form url.Values) dpopAnswer {
	return c.send(func(nonce string) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, c.s.base+"/par", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
		if k != nil {
			req.Header.Set("DPoP", k.proof(c.t, http.MethodPost, jarmIssuer+"/par", "", nonce))
		}
		return req
	})
}

// redeemWithProof redeems a code of the JARM test client at /token with
// a proof of k for the issuer's /token URL (none when k is nil).
func (c *dpopClient) redeemWithProof(k *dpopKey, cl jarmClient, code string) dpopAnswer {
	verifier, _ := pkce()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {jarmRedirect}, "code_verifier": {verifier}}
	return c.send(func(nonce string) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, c.s.base+"/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(cl.id), url.QueryEscape(cl.secret))
		if k != nil {
			req.Header.Set("DPoP", k.proof(c.t, http.MethodPost, jarmIssuer+"/token", "", nonce))
		}
		return req
	})
}

// TestDPoPAtPAR (RFC 9449 §10.1): a DPoP proof at /par binds the code to
// the proof's key, so that only a token request proving that key can
// redeem it; a proof and a dpop_jkt naming another key are refused; the
// nonce round trip works at /par as at /token.
func TestDPoPAtPAR(t *testing.T) {
	s, _ := startSignInServerWith(t, "  dpop: {enabled: true, nonce: true}\n")
	c := &dpopClient{t: t, s: s}
	cl := mustRegisterJARMClient(t, s, "")
	b := newBrowser(t, s)
	k, other := newDPoPKey(t, jose.ES256), newDPoPKey(t, jose.EdDSA)

	codeFor := func(state string) string {
		t.Helper()
		a := c.pushWithProof(&k, cl.id, cl.secret, parRequest(cl.id, state))
		uri, _ := a.body["request_uri"].(string)
		if a.status != http.StatusCreated || uri == "" {
			t.Fatalf("push with a proof: %d %v", a.status, a.body)
		}
		return callbackParams(t, pushedAuthorize(t, b, cl.id, uri, nil), jarmRedirect).Get("code")
	}
	if code := codeFor("other-key"); code != "" {
		if a := c.redeemWithProof(&other, cl, code); a.status != http.StatusBadRequest || a.body["error"] != "invalid_grant" {
			t.Errorf("code bound at /par, redeemed with another key: %d %v", a.status, a.body)
		}
	}
	if c.retried == 0 {
		t.Error("no use_dpop_nonce at /par: the nonce was not asked for")
	}
	if code := codeFor("no-proof"); code != "" {
		if a := c.redeemWithProof(nil, cl, code); a.status != http.StatusBadRequest || a.body["error"] != "invalid_grant" {
			t.Errorf("code bound at /par, redeemed without a proof: %d %v", a.status, a.body)
		}
	}
	a := c.redeemWithProof(&k, cl, codeFor("same-key"))
	if a.status != http.StatusOK || a.body["token_type"] != "DPoP" {
		t.Fatalf("redeemed with the pushed key: %d %v", a.status, a.body)
	}

	mismatch := parRequest(cl.id, "mismatch")
	mismatch.Set("dpop_jkt", other.jkt)
	if a := c.pushWithProof(&k, cl.id, cl.secret, mismatch); a.status != http.StatusBadRequest || a.body["error"] != "invalid_dpop_proof" {
		t.Errorf("proof and another dpop_jkt: %d %v", a.status, a.body)
	}
	matching := parRequest(cl.id, "matching")
	matching.Set("dpop_jkt", k.jkt)
	if a := c.pushWithProof(&k, cl.id, cl.secret, matching); a.status != http.StatusCreated {
		t.Errorf("proof and its own dpop_jkt: %d %v", a.status, a.body)
	}
	bad := c.send(func(string) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, s.base+"/par", strings.NewReader(parRequest(cl.id, "bad").Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(cl.id, cl.secret)
		req.Header.Set("DPoP", "not-a-jwt")
		return req
	})
	if bad.status != http.StatusBadRequest || bad.body["error"] != "invalid_dpop_proof" {
		t.Errorf("malformed proof: %d %v", bad.status, bad.body)
	}
}
