package scenarios

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/load"
)

// maxBody bounds what is read of an answer: pages and token responses are
// a few kilobytes.
const maxBody = 1 << 20

const defaultTimeout = 10 * time.Second

// conn is a scenario's way to the server: a base URL and a transport
// shared by its workers, never following redirects, so that each step of
// a flow is seen.
type conn struct {
	base      *url.URL
	transport http.RoundTripper
	timeout   time.Duration
	clientID  string
	secret    string
	onConsent func(User)
}

func newConn(c Config) (*conn, error) {
	base, err := url.Parse(strings.TrimSuffix(c.Target, "/"))
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	tr := c.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns = 2 * c.workers()
		t.MaxIdleConnsPerHost = 2 * c.workers()
		tr = t
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	return &conn{base: base, transport: tr, timeout: timeout, clientID: c.ClientID, secret: c.ClientSecret, onConsent: c.OnConsent}, nil
}

// client returns an HTTP client on the shared transport with jar (nil: no
// cookies).
func (c *conn) client(jar http.CookieJar) *http.Client {
	return &http.Client{Transport: c.transport, Jar: jar, Timeout: c.timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// endpoint is the URL of one of the server's paths ("/token").
func (c *conn) endpoint(path string) string { return c.base.String() + path }

// resolve turns a Location into the URL a browser would go to.
func (c *conn) resolve(location string) (string, error) {
	u, err := url.Parse(location)
	if err != nil || location == "" {
		return "", &load.BadAnswerError{Step: "redirect", Reason: fmt.Sprintf("bad location %q", location)}
	}
	return c.base.ResolveReference(u).String(), nil
}

// answer is what came back from one request.
type answer struct {
	status   int
	location string
	body     []byte
}

// request is one HTTP exchange to an absolute URL. form, when not nil, is
// posted; auth adds the client's Basic credentials (RFC 6749 §2.3.1:
// form-encoded first).
type request struct {
	method string
	url    string
	form   url.Values
	auth   bool
	bearer string
	accept string
}

func (c *conn) do(ctx context.Context, client *http.Client, r request) (answer, error) {
	var body io.Reader
	if r.form != nil {
		body = strings.NewReader(r.form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		return answer{}, err
	}
	if r.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if r.auth {
		req.SetBasicAuth(url.QueryEscape(c.clientID), url.QueryEscape(c.secret))
	}
	if r.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	if r.accept != "" {
		req.Header.Set("Accept", r.accept)
	}
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer func() { _ = resp.Body.Close() }() // the body was read or is abandoned
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return answer{}, err
	}
	return answer{status: resp.StatusCode, location: resp.Header.Get("Location"), body: raw}, nil
}

// step names a request for error messages: "POST /token".
func step(r request) string {
	path := r.url
	if u, err := url.Parse(r.url); err == nil {
		path = u.Path
	}
	return r.method + " " + path
}

// expect checks the status and, when into is not nil, decodes the JSON body.
func expect(r request, a answer, status int, into any) error {
	if a.status != status {
		return &load.StatusError{Step: step(r), Status: a.status}
	}
	if into != nil {
		if err := json.Unmarshal(a.body, into); err != nil {
			return &load.BadAnswerError{Step: step(r), Reason: "body is not the expected JSON"}
		}
	}
	return nil
}

// tokenResponse is the part of a /token answer the scenarios use.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
}

// token posts a grant to /token as the client and wants an access token.
func (c *conn) token(ctx context.Context, client *http.Client, form url.Values) (tokenResponse, error) {
	r := request{method: http.MethodPost, url: c.endpoint("/token"), form: form, auth: true}
	a, err := c.do(ctx, client, r)
	if err != nil {
		return tokenResponse{}, err
	}
	var tok tokenResponse
	if err := expect(r, a, http.StatusOK, &tok); err != nil {
		return tokenResponse{}, err
	}
	if tok.AccessToken == "" {
		return tokenResponse{}, &load.BadAnswerError{Step: step(r), Reason: "no access_token"}
	}
	return tok, nil
}
