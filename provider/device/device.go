package device

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/clientauth"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/throttle"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// Defaults of op.device.lifetime and op.device.interval.
const (
	DefaultLifetime = 10 * time.Minute
	DefaultInterval = 5 * time.Second
)

// Sessions is the browser sign-in the /device page stands on (flow.Handler).
type Sessions interface {
	// CurrentSession is the person signed in in this browser, if any.
	CurrentSession(r *http.Request) (session.Session, bool, error)
	// SignInThenReturn sends the browser through the login page and back
	// to returnTo, a path on this server.
	SignInThenReturn(w http.ResponseWriter, r *http.Request, returnTo string)
}

// Options are the handler's dependencies, fixed at start.
type Options struct {
	KV       session.KV
	Auth     *clientauth.Authenticator
	Clients  func(ctx context.Context, id string) (oauth.Client, error)
	Sessions Sessions
	Pages    *templates.Renderer
	// Throttle counts wrong user codes per person and per address.
	Throttle throttle.Counter
	// CSRFKey signs the page's forms; instances sharing sessions share it.
	CSRFKey []byte
	// VerificationURI is the absolute URL of the /device page; PagePath its path.
	VerificationURI string
	PagePath        string
	// Lifetime and Interval are op.device.lifetime and op.device.interval.
	Lifetime, Interval time.Duration
	Log                *slog.Logger
	Now                func() time.Time
}

// Handler serves /device_authorization, the /device page and the device
// grant at /token.
type Handler struct {
	Options
	store *store
}

// New checks the options.
func New(o Options) (*Handler, error) {
	if o.KV == nil || o.Auth == nil || o.Clients == nil || o.Sessions == nil || o.Pages == nil ||
		o.Throttle == nil || len(o.CSRFKey) < 32 || o.VerificationURI == "" {
		return nil, errors.New("device: store, authenticator, clients, sessions, pages, throttle, CSRF key and verification URI are required")
	}
	if o.Lifetime <= 0 {
		o.Lifetime = DefaultLifetime
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Handler{Options: o, store: &store{kv: o.KV, lifetime: o.Lifetime, interval: o.Interval, now: o.Now}}, nil
}
