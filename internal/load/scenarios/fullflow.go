package scenarios

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync/atomic"

	"github.com/gatehouse-idp/gatehouse/internal/load"
)

// codeFlowFull is a relying party's whole life with one person, from a
// first visit: authorize → login → consent (offline_access) → token →
// refresh → userinfo with the refreshed access token. Users are taken in
// turn, so while the list lasts every iteration is a new consent: the
// cluster test counts on that to write to the directory as it runs.
type codeFlowFull struct {
	cfg    Config
	c      *conn
	client *http.Client // for the token and userinfo requests: no cookies
	next   atomic.Int64
}

func newCodeFlowFull(cfg Config) (load.Scenario, error) {
	if err := cfg.validate(true, true); err != nil {
		return nil, err
	}
	c, err := newConn(cfg)
	if err != nil {
		return nil, err
	}
	return &codeFlowFull{cfg: cfg, c: c, client: c.client(nil)}, nil
}

func (s *codeFlowFull) Name() string                { return "code-flow-full" }
func (s *codeFlowFull) Setup(context.Context) error { return nil }

func (s *codeFlowFull) Do(ctx context.Context, _ int) load.Result {
	user := s.cfg.Users[(s.next.Add(1)-1)%int64(len(s.cfg.Users))]
	tok, n, err := s.c.authorizationCode(ctx, s.c.client(newJar()), user, s.cfg.RedirectURI, offlineScope)
	if err == nil && tok.RefreshToken == "" {
		err = &load.BadAnswerError{Step: "POST /token", Reason: "no refresh_token for offline_access"}
	}
	if err != nil {
		return load.Result{Err: err, Requests: n}
	}
	n++
	refreshed, err := s.c.token(ctx, s.client, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}})
	if se := (*load.StatusError)(nil); errors.As(err, &se) {
		se.Step += " (refresh)" // the same endpoint as the code's redemption, told apart in reports
	}
	if err != nil {
		return load.Result{Err: err, Requests: n}
	}
	n++
	return load.Result{Err: s.c.userInfo(ctx, s.client, refreshed.AccessToken), Requests: n}
}
