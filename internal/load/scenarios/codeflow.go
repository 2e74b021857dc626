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

// maxFlowSteps bounds the steps of one sign-in (authorize → login →
// consent → client, each a page, a form post or a redirect); a loop is a
// bad answer, not a hang.
const maxFlowSteps = 8

// hiddenField finds the login and consent forms' hidden inputs.
var hiddenField = regexp.MustCompile(`name="(csrf|flow)" value="([^"]*)"`)

// formAction finds where a page's first form posts to.
var formAction = regexp.MustCompile(`<form method="post" action="([^"]*)"`)

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

// code walks the flow from /authorize to the redirect to the client, as
// a browser would: a redirect is followed (except the one to the client,
// which is read), a login or consent page is filled in and its form
// posted. Gatehouse answers /authorize with the login page itself and
// the login form with the consent page; a server that redirects to its
// pages is walked as well.
func (s *signIn) code(ctx context.Context, scope string) (string, error) {
	sum := sha256.Sum256([]byte(s.verifier))
	q := url.Values{
		"client_id": {s.c.clientID}, "redirect_uri": {s.redirect}, "response_type": {"code"},
		"scope": {scope}, "state": {s.state}, "nonce": {rand.Text()},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	r := request{method: http.MethodGet, url: s.c.endpoint("/authorize?" + q.Encode()), accept: "text/html"}
	for range maxFlowSteps {
		a, err := s.send(ctx, r)
		if err != nil {
			return "", err
		}
		switch {
		case a.status == http.StatusFound || a.status == http.StatusSeeOther:
			if strings.HasPrefix(a.location, s.redirect+"?") {
				return s.callback(a.location)
			}
			target, err := s.c.resolve(a.location)
			if err != nil {
				return "", err
			}
			r = request{method: http.MethodGet, url: target, accept: "text/html"}
		case a.status == http.StatusOK:
			next, err := s.fill(r, a)
			if r.form.Has("password") && (err != nil || next.form.Has("password")) {
				// The login form again, with its message.
				return "", &load.BadAnswerError{Step: step(r), Reason: "sign-in refused for " + s.user.Name}
			}
			if err != nil {
				return "", err
			}
			r = next
		default:
			return "", &load.StatusError{Step: step(r), Status: a.status}
		}
	}
	return "", &load.BadAnswerError{Step: "sign-in", Reason: "too many steps"}
}

// send makes one request of the flow, counted.
func (s *signIn) send(ctx context.Context, r request) (answer, error) {
	s.requests++
	return s.c.do(ctx, s.client, r)
}

// fill reads the page a answered to r, login or consent by where its
// form posts, and returns the form's submission: the person's name and
// password, or decision=allow.
func (s *signIn) fill(r request, a answer) (request, error) {
	m := formAction.FindSubmatch(a.body)
	if m == nil {
		return request{}, &load.BadAnswerError{Step: step(r), Reason: "no form in the page"}
	}
	target, err := s.c.resolve(html.UnescapeString(string(m[1])))
	if err != nil {
		return request{}, err
	}
	u, _ := url.Parse(target) // resolve made it
	form, err := hiddenFields(r, a.body)
	if err != nil {
		return request{}, err
	}
	switch {
	case strings.HasSuffix(u.Path, "/login"):
		form.Set("username", s.user.Name)
		form.Set("password", s.user.Password)
	case strings.HasSuffix(u.Path, "/consent"):
		form.Set("decision", "allow")
		s.consented = true
	default:
		return request{}, &load.BadAnswerError{Step: step(r), Reason: fmt.Sprintf("a form posting to %s", u.Path)}
	}
	return request{method: http.MethodPost, url: target, form: form, accept: "text/html"}, nil
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
	if s.consented && s.c.onConsent != nil {
		s.c.onConsent(s.user)
	}
	return q.Get("code"), nil
}
