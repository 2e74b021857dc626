package scenarios

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sync/atomic"

	"github.com/gatehouse-idp/gatehouse/internal/load"
)

// codeFlow signs a person in per iteration. A first visit has no cookies
// (login and consent, if not yet given, every time) and takes the users
// in turn; a returning user (returning) keeps a session per worker,
// signed in during Setup, so /authorize answers with a code at once.
type codeFlow struct {
	cfg       Config
	c         *conn
	returning bool
	next      atomic.Int64
	jars      []http.CookieJar // returning: one per worker
}

func newCodeFlow(cfg Config, returning bool) (load.Scenario, error) {
	if err := cfg.validate(true, true); err != nil {
		return nil, err
	}
	c, err := newConn(cfg)
	if err != nil {
		return nil, err
	}
	return &codeFlow{cfg: cfg, c: c, returning: returning}, nil
}

func (s *codeFlow) Name() string {
	if s.returning {
		return "code-flow-returning"
	}
	return "code-flow"
}

// Setup signs in: one person once for first visits — a warm-up, so that
// the client's first secret check (a slow Argon2 run that every request
// of the client waits for) and the server's first directory connections
// are not charged to the measured flows — and each worker's person for
// returning visits, whose sessions the flows then use.
func (s *codeFlow) Setup(ctx context.Context) error {
	if !s.returning {
		if _, _, err := s.c.authorizationCode(ctx, s.c.client(newJar()), s.cfg.Users[0], s.cfg.RedirectURI, signInScope); err != nil {
			return fmt.Errorf("warm-up sign-in: %w", err)
		}
		return nil
	}
	s.jars = make([]http.CookieJar, s.cfg.workers())
	for w := range s.jars {
		s.jars[w] = newJar()
		if _, _, err := s.c.authorizationCode(ctx, s.c.client(s.jars[w]), s.userOf(w), s.cfg.RedirectURI, signInScope); err != nil {
			return fmt.Errorf("sign in worker %d: %w", w, err)
		}
	}
	return nil
}

func (s *codeFlow) userOf(worker int) User { return s.cfg.Users[worker%len(s.cfg.Users)] }

func (s *codeFlow) Do(ctx context.Context, worker int) load.Result {
	var client *http.Client
	var user User
	if s.returning {
		client, user = s.c.client(s.jars[worker]), s.userOf(worker)
	} else {
		client, user = s.c.client(newJar()), s.cfg.Users[(s.next.Add(1)-1)%int64(len(s.cfg.Users))]
	}
	_, n, err := s.c.authorizationCode(ctx, client, user, s.cfg.RedirectURI, signInScope)
	return load.Result{Err: err, Requests: n}
}

func newJar() http.CookieJar {
	jar, _ := cookiejar.New(nil) // never fails without options
	return jar
}

// userInfo calls /userinfo with access tokens of several people, got by
// sign-ins in Setup.
type userInfo struct {
	cfg    Config
	c      *conn
	client *http.Client
	tokens []string
}

func newUserInfo(cfg Config) (load.Scenario, error) {
	if err := cfg.validate(true, true); err != nil {
		return nil, err
	}
	c, err := newConn(cfg)
	if err != nil {
		return nil, err
	}
	return &userInfo{cfg: cfg, c: c, client: c.client(nil)}, nil
}

func (s *userInfo) Name() string { return "userinfo" }

func (s *userInfo) Setup(ctx context.Context) error {
	for i := range min(s.cfg.workers(), len(s.cfg.Users)) {
		tok, _, err := s.c.authorizationCode(ctx, s.c.client(newJar()), s.cfg.Users[i], s.cfg.RedirectURI, signInScope)
		if err != nil {
			return fmt.Errorf("sign in %s: %w", s.cfg.Users[i].Name, err)
		}
		s.tokens = append(s.tokens, tok.AccessToken)
	}
	return nil
}

func (s *userInfo) Do(ctx context.Context, worker int) load.Result {
	return load.Result{Err: s.c.userInfo(ctx, s.client, s.tokens[worker%len(s.tokens)])}
}

// userInfo asks /userinfo with an access token and wants a subject.
func (c *conn) userInfo(ctx context.Context, client *http.Client, token string) error {
	r := request{method: http.MethodGet, url: c.endpoint("/userinfo"), bearer: token}
	a, err := c.do(ctx, client, r)
	if err != nil {
		return err
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if err := expect(r, a, http.StatusOK, &claims); err != nil {
		return err
	}
	if claims.Sub == "" {
		return &load.BadAnswerError{Step: step(r), Reason: "no sub"}
	}
	return nil
}

// refresh redeems refresh tokens. Each worker follows its own chain,
// belonging to a person of its own: refresh tokens rotate, and a chain
// shared by two workers would look like token theft to the server (reuse
// detection). A chain lost to a failure is started again by a sign-in in
// the next iteration, which then counts the sign-in's requests.
type refresh struct {
	cfg    Config
	c      *conn
	client *http.Client
	chains []string // per worker; "" when lost
}

func newRefresh(cfg Config) (load.Scenario, error) {
	if err := cfg.validate(true, true); err != nil {
		return nil, err
	}
	if len(cfg.Users) < cfg.workers() {
		return nil, fmt.Errorf("needs a user per worker: %d users for %d workers", len(cfg.Users), cfg.workers())
	}
	c, err := newConn(cfg)
	if err != nil {
		return nil, err
	}
	return &refresh{cfg: cfg, c: c, client: c.client(nil), chains: make([]string, cfg.workers())}, nil
}

func (s *refresh) Name() string { return "refresh" }

func (s *refresh) Setup(ctx context.Context) error {
	for w := range s.chains {
		if _, err := s.start(ctx, w); err != nil {
			return fmt.Errorf("sign in %s: %w", s.cfg.Users[w].Name, err)
		}
	}
	return nil
}

// start begins worker w's chain with a sign-in that grants offline_access.
func (s *refresh) start(ctx context.Context, w int) (int, error) {
	tok, n, err := s.c.authorizationCode(ctx, s.c.client(newJar()), s.cfg.Users[w], s.cfg.RedirectURI, offlineScope)
	if err == nil && tok.RefreshToken == "" {
		err = &load.BadAnswerError{Step: "POST /token", Reason: "no refresh_token for offline_access"}
	}
	s.chains[w] = tok.RefreshToken
	return n, err
}

func (s *refresh) Do(ctx context.Context, worker int) load.Result {
	extra := 0
	if s.chains[worker] == "" {
		n, err := s.start(ctx, worker)
		if err != nil {
			return load.Result{Err: err, Requests: n}
		}
		extra = n
	}
	tok, err := s.c.token(ctx, s.client, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {s.chains[worker]}})
	if err != nil {
		s.chains[worker] = ""
		return load.Result{Err: err, Requests: extra + 1}
	}
	if tok.RefreshToken != "" { // rotated (RFC 9700 §4.14.2)
		s.chains[worker] = tok.RefreshToken
	}
	return load.Result{Requests: extra + 1}
}
