package logout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/netguard"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// Defaults of Deliverer (op.logout.backchannel.*).
const (
	DefaultTimeout    = 5 * time.Second
	DefaultAttempts   = 5
	DefaultRetryDelay = 2 * time.Second
	DefaultWorkers    = 2
	DefaultPoll       = 250 * time.Millisecond
	// maxRetryDelay caps the doubling delay between attempts.
	maxRetryDelay = 5 * time.Minute
	// maxResponse is what is read of a client's answer: nothing is done
	// with it, but reading lets the connection be reused.
	maxResponse = 4 << 10
)

// Audit outcomes of audit.TypeBackchannelLogout.
const (
	OutcomeDelivered = "delivered"
	OutcomeRetry     = "retry"
	OutcomeFailed    = "failed"  // gave up after the last attempt
	OutcomeDropped   = "dropped" // never tried: no queue room, client gone
)

// LogoutMinter mints logout tokens (tokens.Minter).
type LogoutMinter interface {
	LogoutToken(ctx context.Context, in tokens.LogoutToken) (token, jti string, err error)
}

// RefreshEnder ends the refresh tokens issued in a session without
// offline_access (token.Handler).
type RefreshEnder interface {
	EndSessionRefresh(ctx context.Context, subject, clientID, sid string) (bool, error)
}

// Deliverer works the queue: for each job it ends the session's refresh
// tokens for the client, then POSTs a logout token to the client's
// backchannel_logout_uri, each attempt bounded by Timeout, retrying with a
// doubling delay up to Attempts in all.
type Deliverer struct {
	Queue   Queue
	Clients ClientLookup
	Minter  LogoutMinter
	// Refresh may be nil: no refresh tokens to end.
	Refresh RefreshEnder
	// HTTP makes the POSTs; nil means a client that follows no redirects.
	HTTP *http.Client
	// Public makes the POSTs to clients registered openly; nil means
	// netguard.Client, which reaches public addresses only (guard.go).
	Public     *http.Client
	Timeout    time.Duration
	Attempts   int
	RetryDelay time.Duration
	Workers    int
	// Poll is how long an idle worker waits before asking the queue again.
	Poll  time.Duration
	Audit audit.Recorder
	Log   *slog.Logger
	Now   func() time.Time
}

// withDefaults fills in what is zero.
func (d *Deliverer) withDefaults() {
	def := func(v *time.Duration, x time.Duration) {
		if *v <= 0 {
			*v = x
		}
	}
	def(&d.Timeout, DefaultTimeout)
	def(&d.RetryDelay, DefaultRetryDelay)
	def(&d.Poll, DefaultPoll)
	if d.Attempts <= 0 {
		d.Attempts = DefaultAttempts
	}
	if d.Workers <= 0 {
		d.Workers = DefaultWorkers
	}
	if d.HTTP == nil {
		// A redirect is not followed: the token is for the registered URI
		// only (and a redirect could point anywhere).
		d.HTTP = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if d.Public == nil {
		d.Public = netguard.Client()
	}
	d.Audit = audit.OrNop(d.Audit)
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
}

// Run runs the workers until ctx ends. A job in hand when it does is left
// to its lease: another instance, or this one started again, takes it.
func (d *Deliverer) Run(ctx context.Context) {
	d.withDefaults()
	var wg sync.WaitGroup
	for range d.Workers {
		wg.Go(func() { d.work(ctx) })
	}
	wg.Wait()
}

func (d *Deliverer) work(ctx context.Context) {
	idle := time.NewTimer(0)
	defer idle.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-idle.C:
		}
		// The lease outlasts the attempt, with room for the refresh
		// update and the queue's own calls.
		j, err := d.Queue.Take(ctx, d.Timeout+10*time.Second)
		switch {
		case err == nil:
			d.handle(ctx, j)
			idle.Reset(0)
		case errors.Is(err, ErrEmpty), ctx.Err() != nil:
			idle.Reset(d.Poll)
		default:
			d.Log.Warn("logout queue: take", "err", err)
			idle.Reset(d.Poll)
		}
	}
}

// handle does one job, or schedules its retry.
func (d *Deliverer) handle(ctx context.Context, j Job) {
	err := d.attempt(ctx, &j)
	if ctx.Err() != nil {
		return // stopping: the lease brings the job back
	}
	if err == nil {
		d.finish(ctx, j)
		return
	}
	j.Attempts++
	ev := audit.Event{Type: audit.TypeBackchannelLogout, ClientID: j.ClientID, Subject: j.Subject, Detail: describe(err)}
	if j.Attempts >= d.Attempts || errors.Is(err, errPermanent) {
		ev.Outcome = OutcomeFailed
		d.Audit.Record(ctx, ev)
		d.Log.Warn("back-channel logout: giving up", "client_id", j.ClientID, "attempts", j.Attempts, "err", err)
		d.finish(ctx, j)
		return
	}
	ev.Outcome = OutcomeRetry
	d.Audit.Record(ctx, ev)
	delay := min(d.RetryDelay<<(j.Attempts-1), maxRetryDelay)
	d.Log.Info("back-channel logout: will retry", "client_id", j.ClientID, "attempt", j.Attempts, "in", delay, "err", err)
	if err := d.Queue.Retry(ctx, j, d.Now().Add(delay)); err != nil {
		d.Log.Warn("logout queue: retry", "err", err)
	}
}

func (d *Deliverer) finish(ctx context.Context, j Job) {
	if err := d.Queue.Done(ctx, j); err != nil {
		d.Log.Warn("logout queue: done", "err", err)
	}
}

// errPermanent marks a failure that no retry mends.
var errPermanent = errors.New("permanent")

// attempt ends the session's refresh tokens (once) and delivers the
// logout token, if the client wants one.
func (d *Deliverer) attempt(ctx context.Context, j *Job) error {
	if !j.RefreshEnded && d.Refresh != nil {
		ended, err := d.Refresh.EndSessionRefresh(ctx, j.Subject, j.ClientID, j.SID)
		if err != nil {
			return fmt.Errorf("end refresh tokens: %w", err)
		}
		if ended {
			d.Log.Info("refresh tokens of the session ended", "client_id", j.ClientID, "sub", j.Subject)
		}
		j.RefreshEnded = true
	}
	c, err := d.Clients(ctx, j.ClientID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("%w: the client no longer exists", errPermanent)
	case err != nil:
		return fmt.Errorf("read client: %w", err)
	case c.Metadata.BackchannelLogoutURI == "":
		return nil
	}
	token, jti, err := d.Minter.LogoutToken(ctx, tokens.LogoutToken{Client: c, Subject: j.Subject, SID: j.SID})
	if err != nil {
		return fmt.Errorf("%w: mint logout token: %v", errPermanent, err)
	}
	if err := d.post(netguard.Guard(ctx, c.Metadata.OpenlyRegistered()), c.Metadata.BackchannelLogoutURI, token); err != nil {
		return err
	}
	d.Audit.Record(ctx, audit.Event{Type: audit.TypeBackchannelLogout, Outcome: OutcomeDelivered,
		ClientID: j.ClientID, Subject: j.Subject, JTI: jti})
	d.Log.Info("back-channel logout delivered", "client_id", j.ClientID, "sub", j.Subject, "attempt", j.Attempts+1)
	return nil
}

// post sends the logout token (Back-Channel Logout §2.5) and reads the
// answer: 200 (or 204, as many clients answer) is success (§2.8).
func (d *Deliverer) post(ctx context.Context, uri, token string) error {
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	body := url.Values{"logout_token": {token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: %v", errPermanent, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cache-Control", "no-store")
	resp, err := d.httpFor(ctx).Do(req)
	if err != nil {
		return postError(err)
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("post: the client answered %d", resp.StatusCode)
	}
	return nil
}

// describe is the fixed remark of a failure for the audit log (never the
// error text, which may hold client input).
func describe(err error) string {
	switch {
	case errors.Is(err, errPermanent):
		return "not deliverable"
	case errors.Is(err, context.DeadlineExceeded):
		return "the client did not answer in time"
	default:
		return "the delivery failed"
	}
}
