package par

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/clientauth"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// DefaultLifetime is how long a request_uri is valid when op.par.lifetime
// is not set: RFC 9126 §2.2 suggests between 5 and 600 seconds, and a
// browser is sent to /authorize right after the push.
const DefaultLifetime = 60 * time.Second

// MaxLifetime bounds op.par.lifetime (FAPI 2.0 Security Profile §5.3.2.2:
// at most 600 seconds).
const MaxLifetime = 10 * time.Minute

// maxBody bounds the body of a push: an authorization request and the
// client's credentials (oauth.MaxPushedRequest).
const maxBody = oauth.MaxPushedRequest

// Authenticator authenticates the client of a push as the token endpoint
// does, with every method it accepts, mutual TLS included.
// *clientauth.Authenticator is one.
type Authenticator interface {
	AuthenticateRequest(ctx context.Context, r *http.Request, form url.Values) (clientauth.Result, *oauth.Error)
	WriteError(w http.ResponseWriter, header http.Header, e *oauth.Error)
}

// ProofCheck checks the proof of possession that came with a push: DPoP
// (RFC 9449 §10.1), where a DPoP header at this endpoint binds the code
// to the proof's key. It runs before the client is authenticated, as at
// the token endpoint, so that a client told to retry with a nonce does
// not find its client assertion used up. It returns the thumbprint of
// the proof's key, "" when no proof came, and use, which records the
// proof as used (its jti) and which the handler calls once the client is
// authenticated, so that requests of no client take no room in the
// replay store (nil when there is nothing to record). header is the
// answer's, for a DPoP-Nonce. An error is answered as it is.
type ProofCheck func(r *http.Request, header http.Header) (jkt string, use func(context.Context) *oauth.Error, e *oauth.Error)

// Options are the handler's dependencies and settings.
type Options struct {
	Auth Authenticator
	// Parse holds the rules of authorization requests, as /authorize has
	// them.
	Parse authorize.Deps
	Store *Store
	// Lifetime of a request_uri (op.par.lifetime); 0 means DefaultLifetime.
	Lifetime time.Duration
	// Proof, when set, is called for every push; nil (DPoP off) checks
	// no proof, and only a dpop_jkt parameter binds the code.
	Proof ProofCheck
	// Rules, when set, holds a pushed request to the client's security
	// profile (provider/profile); nil checks nothing more.
	Rules PushRules
	Log   *slog.Logger
}

// Handler serves POST /par.
type Handler struct {
	opts Options
	log  *slog.Logger
}

// New checks the options and returns the handler.
func New(o Options) (*Handler, error) {
	switch {
	case o.Auth == nil || o.Store == nil || o.Parse.Clients == nil:
		return nil, errors.New("par: an authenticator, a store and a client lookup are required")
	case o.Lifetime < 0 || o.Lifetime > MaxLifetime:
		return nil, fmt.Errorf("par: the lifetime must be between 0 and %s, not %s", MaxLifetime, o.Lifetime)
	}
	if o.Lifetime == 0 {
		o.Lifetime = DefaultLifetime
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Handler{opts: o, log: o.Log}, nil
}

// pushResponse is the answer of RFC 9126 §2.2.
type pushResponse struct {
	RequestURI string `json:"request_uri"`
	ExpiresIn  int64  `json:"expires_in"`
}

// Push serves POST /par (RFC 9126 §2): authenticate the client, check
// the proof seam, validate the request as /authorize would, store it and
// answer 201 with its request_uri.
func (h *Handler) Push(w http.ResponseWriter, r *http.Request) {
	form, e := readForm(w, r)
	if e != nil {
		e.WriteJSON(w)
		return
	}
	ctx := r.Context()
	jkt, use, e := h.proof(w, r)
	if e != nil {
		h.log.Info("par: DPoP proof refused", "error", e)
		e.WriteJSON(w)
		return
	}
	client, e := h.opts.Auth.AuthenticateRequest(ctx, r, form)
	if e != nil {
		h.log.Info("par: client not authenticated", "error", e)
		h.opts.Auth.WriteError(w, r.Header, e)
		return
	}
	if use != nil {
		if e := use(ctx); e != nil {
			h.log.Info("par: DPoP proof refused", "error", e)
			e.WriteJSON(w)
			return
		}
	}
	req, e := authorize.ParsePushed(ctx, form, client.Client, h.opts.Parse)
	if e == nil {
		e = bindProof(&req, jkt)
	}
	if e == nil && h.opts.Rules != nil {
		e = h.opts.Rules(client, req, jkt)
	}
	if e != nil {
		h.log.Info("par: request refused", "client_id", client.Client.ID, "error", e)
		e.WriteJSON(w)
		return
	}
	uri, err := h.opts.Store.Push(ctx, req, h.opts.Lifetime)
	if err != nil {
		h.log.Warn("par: request not stored", "client_id", client.Client.ID, "error", err)
		storeError(err).WriteJSON(w)
		return
	}
	writeCreated(w, pushResponse{RequestURI: uri, ExpiresIn: int64(h.opts.Lifetime / time.Second)})
}

// readForm reads the body of a push: a form (RFC 9126 §2.1), bounded,
// with nothing in the URL, where parameters would end up in logs.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, *oauth.Error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case err != nil || mt != "application/x-www-form-urlencoded":
		return nil, oauth.ErrInvalidRequest().WithDescription("The request body must be application/x-www-form-urlencoded.")
	case r.URL.RawQuery != "":
		return nil, oauth.ErrInvalidRequest().WithDescription("Parameters belong in the body, not the URL.")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, oauth.ErrInvalidRequest().WithDescription("The request body is too large.").WithStatus(http.StatusRequestEntityTooLarge)
		}
		return nil, oauth.ErrInvalidRequest().WithDescription("The request body is not a valid form.")
	}
	return r.PostForm, nil
}

// storeError maps a failed Put: a full or unreachable store is an outage.
func storeError(err error) *oauth.Error {
	if errors.Is(err, storage.ErrUnavailable) {
		return oauth.ErrTemporarilyUnavailable().WithDescription("The service is temporarily unavailable; try again later.").WithCause(err)
	}
	return oauth.ErrServerError().WithDescription("The request could not be stored.").WithCause(err)
}

// writeCreated answers 201 with v; a request_uri is a bearer of the
// request, so nothing may cache it.
func writeCreated(w http.ResponseWriter, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(v)
}

// errNotPushed: a request_uri not of the pushed form names nothing here.
var errNotPushed = fmt.Errorf("par: not a pushed request_uri: %w", storage.ErrNotFound)

// cutPrefix returns the random part of a pushed request_uri.
func cutPrefix(requestURI string) (string, bool) {
	ref, ok := strings.CutPrefix(requestURI, authorize.PushedURIPrefix)
	return ref, ok && ref != ""
}
