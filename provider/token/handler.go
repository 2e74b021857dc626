package token

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/clientauth"
	"github.com/gatehouse-idp/gatehouse/provider/dpop"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// maxBody bounds a token request's form.
const maxBody = oauth.MaxTokenRequest

// Users reads a person's current claims for the ID token.
type Users interface {
	Lookup(ctx context.Context, subject string) (oauth.User, error)
}

// Options are the endpoint's dependencies, fixed at start.
type Options struct {
	Auth                *clientauth.Authenticator
	Codes               *session.Codes
	Minter              *tokens.Minter
	Users               Users
	AccessTokenLifetime time.Duration
	// Authorizations, when set, enables refresh tokens: they hang on the
	// person's authorization of the client.
	Authorizations AuthorizationStore
	// RefreshTokenLifetime bounds a refresh token family from its first
	// token (op.token.refreshTokenLifetime).
	RefreshTokenLifetime time.Duration
	// Issued records what each code's redemption issued, and Revoker ends
	// those tokens when the code comes back (both may be nil: then a
	// replayed code is only refused).
	Issued  session.KV
	Revoker Revoker
	// GroupsClaim is the claim the groups scope releases.
	GroupsClaim string
	// Subjects, when set, seals the person's subject in refresh tokens.
	Subjects SubjectSealer
	// Audit hears of tokens issued, refresh tokens reused and codes
	// replayed; nil records nothing.
	Audit audit.Recorder
	Log   *slog.Logger
	Now   func() time.Time
	// Grants are grant types served by other packages, by name.
	Grants map[string]Grant

	// DPoP checks DPoP proofs (RFC 9449), nil when DPoP is off; TokenURLs
	// are the URLs a proof's htu may name for this endpoint.
	DPoP      *dpop.Checker
	TokenURLs []string

	// Rules, when set, holds an authenticated request to the client's
	// security profile (provider/profile); bound tells whether its tokens
	// will be sender-constrained. KeepRefresh, when set and true for a
	// client, keeps its refresh token instead of rotating it.
	Rules       func(auth clientauth.Result, bound bool) *oauth.Error
	KeepRefresh func(c oauth.Client) bool

	// SignIns, when set, hands over the person a sign-in of this instance
	// read seconds ago, for the redemption of its code (package signins);
	// nil: every redemption reads the directory.
	SignIns RecentSignIns
}

// RecentSignIns gives, once, the person a sign-in just read
// (signins.Recent).
type RecentSignIns interface {
	Take(subject string) (oauth.User, bool)
}

// Handler serves POST /token.
type Handler struct {
	Options
	grants map[string]grant
}

// grant is one grant type: given an authenticated client and the request,
// it returns the response or the OAuth error to send.
type grant func(ctx context.Context, c oauth.Client, form url.Values) (response, *oauth.Error)

// response is a successful token response (RFC 6749 §5.1).
type response struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	// IssuedTokenType is RFC 8693 §2.2.1's, for token exchange only.
	IssuedTokenType string `json:"issued_token_type,omitempty"`
	// issued is what the audit log is told of the tokens; never sent.
	issued issuedTo
}

// issuedTo names whom a response's tokens were issued to.
type issuedTo struct {
	subject, jti string
}

// New checks the options and sets up the grants.
func New(o Options) (*Handler, error) {
	if o.Auth == nil || o.Codes == nil || o.Minter == nil || o.Users == nil {
		return nil, errors.New("token: authenticator, codes, minter and users are required")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Audit = audit.OrNop(o.Audit)
	if o.AccessTokenLifetime <= 0 {
		o.AccessTokenLifetime = 10 * time.Minute
	}
	if o.RefreshTokenLifetime <= 0 {
		o.RefreshTokenLifetime = 30 * 24 * time.Hour
	}
	h := &Handler{Options: o}
	h.grants = map[string]grant{
		"authorization_code": h.authorizationCode,
		"client_credentials": h.clientCredentials,
		grantTokenExchange:   h.tokenExchange,
	}
	if o.Authorizations != nil {
		h.grants["refresh_token"] = h.refreshToken
	}
	for name, g := range o.Grants {
		h.grants[name] = h.outside(g)
	}
	return h, nil
}

// GrantTypes lists the grant types served, for discovery.
func (h *Handler) GrantTypes() []string {
	out := make([]string, 0, len(h.grants))
	for g := range h.grants {
		out = append(out, g)
	}
	slices.Sort(out)
	return out
}

// Token is the pipeline: the request's form, the client, the grant, the
// response. Every answer, success or error, is JSON and never cached.
func (h *Handler) Token(w http.ResponseWriter, r *http.Request) {
	form, oerr := ReadForm(w, r)
	if oerr == nil {
		oerr = checkForm(form)
	}
	if oerr != nil {
		writeError(w, oerr)
		return
	}
	ctx := audit.WithAddress(r.Context(), audit.PeerAddress(r))
	proof, oerr := h.readProof(w, r)
	jkt := proof.JKT
	if oerr != nil {
		h.Log.Info("token request: DPoP proof refused", "error", oerr)
		writeError(w, oerr)
		return
	}
	auth, oerr := h.Auth.AuthenticateRequest(ctx, r, form)
	if oerr != nil {
		h.Log.Info("token request: client not authenticated", "error", oerr)
		h.Auth.WriteError(w, r.Header, oerr)
		return
	}
	c := auth.Client
	if oerr := h.requireProof(c, jkt); oerr != nil {
		writeError(w, oerr)
		return
	}
	if jkt != "" {
		// Recorded only now, for a known client: anonymous requests with
		// made-up keys take no room in the replay store.
		if oerr := h.DPoP.Use(ctx, proof); oerr != nil {
			writeError(w, oerr)
			return
		}
	}
	ctx = withConfirmation(ctx, withJKT(confirmation(auth), jkt))
	if h.Rules != nil {
		if oerr := h.Rules(auth, len(confirmationOf(ctx)) > 0); oerr != nil {
			h.Log.Info("token request: refused by the client's profile", "client_id", c.ID, "error", oerr)
			writeError(w, oerr)
			return
		}
	}
	name := form.Get("grant_type")
	g, ok := h.grants[name]
	switch {
	case name == "":
		writeError(w, oauth.ErrInvalidRequest().WithDescription("grant_type: missing"))
		return
	case !ok:
		writeError(w, oauth.ErrUnsupportedGrantType().WithDescription("grant_type: "+name+" is not supported"))
		return
	case !slices.Contains(registeredGrants(c), name):
		writeError(w, oauth.ErrUnauthorizedClient().WithDescription("grant_type: the client is not registered for "+name))
		return
	}
	resp, oerr := g(ctx, c, form)
	if oerr != nil {
		h.Log.Info("token request refused", "client_id", c.ID, "grant_type", name, "error", oerr)
		writeError(w, oerr)
		return
	}
	if jkt != "" {
		resp.TokenType = tokenTypeDPoP
	}
	h.auditIssued(ctx, auth, name, resp)
	writeJSON(w, http.StatusOK, resp)
}

// ReadForm reads a token request's body: form-encoded, bounded, and with
// no parameter given twice (RFC 6749 §3.2). The device authorization
// endpoint reads its requests with it too (RFC 8628 §3.1).
func ReadForm(w http.ResponseWriter, r *http.Request) (url.Values, *oauth.Error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, oauth.ErrInvalidRequest().WithDescription("the request body must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, oauth.ErrInvalidRequest().WithDescription("the request body is too large").WithStatus(http.StatusRequestEntityTooLarge)
		}
		return nil, oauth.ErrInvalidRequest().WithDescription("the request body is not a valid form")
	}
	if len(r.URL.Query()) > 0 {
		return nil, oauth.ErrInvalidRequest().WithDescription("parameters belong in the body, not the URL")
	}
	for name, values := range r.PostForm {
		if len(values) > 1 {
			return nil, oauth.ErrInvalidRequest().WithDescription(name + ": given more than once")
		}
	}
	return r.PostForm, nil
}

// registeredGrants are the client's grant types, RFC 7591's default when
// it registered none.
func registeredGrants(c oauth.Client) []string {
	if c.Metadata.GrantTypes == nil {
		return []string{"authorization_code"}
	}
	return c.Metadata.GrantTypes
}

func writeError(w http.ResponseWriter, e *oauth.Error) {
	e.WriteJSON(w)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	// RFC 6749 §5.1: token responses must not be cached.
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func joinScopes(scopes []string) string { return strings.Join(scopes, " ") }
