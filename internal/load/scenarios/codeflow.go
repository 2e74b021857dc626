package scenarios

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/gatehouse-idp/gatehouse/internal/load"
)

// maxFlowSteps bounds the redirects of one sign-in (authorize → login →
// consent → client); a loop is a bad answer, not a hang.
const maxFlowSteps = 6

// hiddenField finds the login and consent forms' hidden inputs.
var hiddenField = regexp.MustCompile(`name="(csrf|flow)" value="([^"]*)"`)

// signIn is one browser-less sign-in in progress.
type signIn struct {
	c        *conn
	client   *http.Client
	user     User
	redirect string
	state    string
	verifier string
	requests int
	// consented: this sign-in's consent page was answered allow; told to
	// Config.OnConsent once the code arrives, since an error redirect
	// after the decision means it may not have been stored.
	consented bool
}

// authorizationCode runs a sign-in for user with client's cookies and
// returns a redeemed token response. requests counts the HTTP requests
// made, also when it fails.
func (c *conn) authorizationCode(ctx context.Context, client *http.Client, user User, redirectURI, scope string) (tokenResponse, int, error) {
	s := &signIn{c: c, client: client, user: user, redirect: redirectURI,
		state: rand.Text(), verifier: rand.Text() + rand.Text()}
	code, err := s.code(ctx, scope)
	if err != nil {
		return tokenResponse{}, s.requests, err
	}
	s.requests++
	tok, err := c.token(ctx, client, url.Values{
		"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {redirectURI}, "code_verifier": {s.verifier},
	})
	return tok, s.requests, err
}

// code follows the flow from /authorize to the redirect to the client.
func (s *signIn) code(ctx context.Context, scope string) (string, error) {
	sum := sha256.Sum256([]byte(s.verifier))
	q := url.Values{
		"client_id": {s.c.clientID}, "redirect_uri": {s.redirect}, "response_type": {"code"},
		"scope": {scope}, "state": {s.state}, "nonce": {rand.Text()},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	r := request{method: http.MethodGet, url: s.c.endpoint("/authorize?" + q.Encode()), accept: "text/html"}
	location, err := s.redirected(ctx, r)
	for range maxFlowSteps {
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(location, s.redirect+"?") {
			code, err := s.callback(location)
			if err == nil && s.consented && s.c.onConsent != nil {
				s.c.onConsent(s.user)
			}
			return code, err
		}
		location, err = s.page(ctx, location)
	}
	return "", &load.BadAnswerError{Step: "sign-in", Reason: "too many redirects"}
}

// redirected sends r and wants a redirect.
func (s *signIn) redirected(ctx context.Context, r request) (string, error) {
	s.requests++
	a, err := s.c.do(ctx, s.client, r)
	if err != nil {
		return "", err
	}
	if a.status != http.StatusFound && a.status != http.StatusSeeOther {
		if a.status == http.StatusOK && r.form.Has("password") {
			return "", &load.BadAnswerError{Step: step(r), Reason: "sign-in refused for " + s.user.Name}
		}
		return "", &load.StatusError{Step: step(r), Status: a.status}
	}
	return a.location, nil
}

// page handles one page of the flow, login or consent, and returns where
// its form submission redirects to.
func (s *signIn) page(ctx context.Context, location string) (string, error) {
	target, err := s.c.resolve(location)
	if err != nil {
		return "", err
	}
	u, _ := url.Parse(target) // resolve made it
	var fill func(url.Values)
	switch {
	case strings.HasSuffix(u.Path, "/login"):
		fill = func(f url.Values) { f.Set("username", s.user.Name); f.Set("password", s.user.Password) }
	case strings.HasSuffix(u.Path, "/consent"):
		fill = func(f url.Values) { f.Set("decision", "allow") }
	default:
		return "", &load.BadAnswerError{Step: "sign-in", Reason: fmt.Sprintf("redirected to %s", u.Path)}
	}
	r := request{method: http.MethodGet, url: target, accept: "text/html"}
	s.requests++
	a, err := s.c.do(ctx, s.client, r)
	if err != nil {
		return "", err
	}
	if err := expect(r, a, http.StatusOK, nil); err != nil {
		return "", err
	}
	form, err := hiddenFields(r, a.body)
	if err != nil {
		return "", err
	}
	fill(form)
	u.RawQuery = ""
	next, err := s.redirected(ctx, request{method: http.MethodPost, url: u.String(), form: form, accept: "text/html"})
	s.consented = s.consented || err == nil && form.Get("decision") == "allow"

	return next, err
}

// hiddenFields reads a page's flow and csrf inputs.
func hiddenFields(r request, body []byte) (url.Values, error) {
	f := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(string(body), -1) {
		f.Set(m[1], html.UnescapeString(m[2]))
	}
	if f.Get("flow") == "" || f.Get("csrf") == "" {
		return nil, &load.BadAnswerError{Step: step(r), Reason: "no flow and csrf inputs in the page"}
	}
	return f, nil
}

// callback reads the authorization response from the redirect to the
// client, which is never followed.
func (s *signIn) callback(location string) (string, error) {
	u, err := url.Parse(location)
	if err != nil {
		return "", &load.BadAnswerError{Step: "callback", Reason: "bad redirect"}
	}
	q := u.Query()
	switch {
	case q.Get("error") != "":
		return "", &load.BadAnswerError{Step: "callback", Reason: "authorization error " + q.Get("error")}
	case q.Get("state") != s.state:
		return "", &load.BadAnswerError{Step: "callback", Reason: "state does not match"}
	case q.Get("code") == "":
		return "", &load.BadAnswerError{Step: "callback", Reason: "no code"}
	}
	return q.Get("code"), nil
}
