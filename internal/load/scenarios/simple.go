package scenarios

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gatehouse-idp/gatehouse/internal/load"
)

// discovery fetches the OpenID Provider metadata: the cheapest request,
// the baseline of the others.
type discovery struct {
	c      *conn
	client *http.Client
}

func newDiscovery(cfg Config) (load.Scenario, error) {
	if err := cfg.validate(false, false); err != nil {
		return nil, err
	}
	c, err := newConn(cfg)
	if err != nil {
		return nil, err
	}
	return &discovery{c: c, client: c.client(nil)}, nil
}

func (s *discovery) Name() string                { return "discovery" }
func (s *discovery) Setup(context.Context) error { return nil }

func (s *discovery) Do(ctx context.Context, _ int) load.Result {
	r := request{method: http.MethodGet, url: s.c.endpoint("/.well-known/openid-configuration")}
	a, err := s.c.do(ctx, s.client, r)
	if err != nil {
		return load.Result{Err: err}
	}
	var doc struct {
		Issuer string `json:"issuer"`
	}
	if err := expect(r, a, http.StatusOK, &doc); err != nil {
		return load.Result{Err: err}
	}
	if doc.Issuer == "" {
		return load.Result{Err: &load.BadAnswerError{Step: step(r), Reason: "no issuer"}}
	}
	return load.Result{}
}

// clientCredentials gets a token for the client itself: client
// authentication (the secret's hash check) and minting.
type clientCredentials struct {
	c      *conn
	client *http.Client
}

func newClientCredentials(cfg Config) (load.Scenario, error) {
	if err := cfg.validate(false, true); err != nil {
		return nil, err
	}
	c, err := newConn(cfg)
	if err != nil {
		return nil, err
	}
	return &clientCredentials{c: c, client: c.client(nil)}, nil
}

func (s *clientCredentials) Name() string                { return "client-credentials" }
func (s *clientCredentials) Setup(context.Context) error { return nil }

func (s *clientCredentials) Do(ctx context.Context, _ int) load.Result {
	_, err := s.c.token(ctx, s.client, url.Values{"grant_type": {"client_credentials"}})
	return load.Result{Err: err}
}

// introspect asks about one active access token, as a resource server
// authenticated as the client would.
type introspect struct {
	c      *conn
	client *http.Client
	token  string
}

func newIntrospect(cfg Config) (load.Scenario, error) {
	if err := cfg.validate(false, true); err != nil {
		return nil, err
	}
	c, err := newConn(cfg)
	if err != nil {
		return nil, err
	}
	return &introspect{c: c, client: c.client(nil)}, nil
}

func (s *introspect) Name() string { return "introspect" }

func (s *introspect) Setup(ctx context.Context) error {
	tok, err := s.c.token(ctx, s.client, url.Values{"grant_type": {"client_credentials"}})
	s.token = tok.AccessToken
	return err
}

func (s *introspect) Do(ctx context.Context, _ int) load.Result {
	r := request{method: http.MethodPost, url: s.c.endpoint("/token/introspect"), form: url.Values{"token": {s.token}}, auth: true}
	a, err := s.c.do(ctx, s.client, r)
	if err != nil {
		return load.Result{Err: err}
	}
	var got struct {
		Active bool `json:"active"`
	}
	if err := expect(r, a, http.StatusOK, &got); err != nil {
		return load.Result{Err: err}
	}
	if !got.Active {
		return load.Result{Err: &load.BadAnswerError{Step: step(r), Reason: "token not active"}}
	}
	return load.Result{}
}
