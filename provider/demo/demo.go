package demo

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// pendingLifetime bounds how long a started sign-in may take.
const pendingLifetime = 10 * time.Minute

// Options configure the demo client.
type Options struct {
	// Issuer is the provider to sign in with — this one.
	Issuer string
	// Base is the URL the demo itself is served at, e.g. issuer + "/demo".
	Base         string
	ClientID     string
	ClientSecret string
	// KV keeps the state, nonce and PKCE verifier of sign-ins in progress.
	KV  session.KV
	Log *slog.Logger
}

// Handler serves /demo, /demo/start and /demo/callback.
type Handler struct {
	o Options

	mu       sync.Mutex
	provider *oidc.Provider // discovered on first use: the server is not up when this is built
}

// New checks the options.
func New(o Options) (*Handler, error) {
	if o.Issuer == "" || o.Base == "" || o.ClientID == "" || o.ClientSecret == "" || o.KV == nil {
		return nil, errors.New("demo: issuer, base URL, client and state store are required")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Handler{o: o}, nil
}

// pending is a sign-in between /demo/start and /demo/callback.
type pending struct {
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
}

// Home shows the start page of the demo.
func (h *Handler) Home(w http.ResponseWriter, _ *http.Request) {
	h.render(w, http.StatusOK, view{Start: h.o.Base + "/start"})
}

// Start begins a sign-in: state, nonce and PKCE verifier are kept here, the
// browser goes to the authorization endpoint.
func (h *Handler) Start(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cfg, _, err := h.client(ctx)
	if err != nil {
		h.fail(w, "The provider's discovery document could not be read.", err)
		return
	}
	state, nonce, verifier := rand.Text(), rand.Text(), oauth2.GenerateVerifier()
	raw, _ := json.Marshal(pending{Nonce: nonce, Verifier: verifier})
	if err := h.o.KV.Put(ctx, "demo:"+state, raw, pendingLifetime); err != nil {
		h.fail(w, "The sign-in could not be started.", err)
		return
	}
	http.Redirect(w, r, cfg.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusSeeOther)
}

// Callback receives the authorization response, redeems the code and
// verifies the ID token as any relying party must.
func (h *Handler) Callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	raw, err := h.o.KV.Take(ctx, "demo:"+q.Get("state"))
	if err != nil {
		h.fail(w, "This sign-in is unknown or was already completed.", err)
		return
	}
	var p pending
	if err := json.Unmarshal(raw, &p); err != nil {
		h.fail(w, "This sign-in is unknown or was already completed.", err)
		return
	}
	// RFC 9207: the response names its issuer; a mix-up would show here.
	if q.Get("iss") != h.o.Issuer {
		h.fail(w, "The response came from another issuer.", fmt.Errorf("iss %q", q.Get("iss")))
		return
	}
	if e := q.Get("error"); e != "" {
		h.render(w, http.StatusOK, view{Start: h.o.Base + "/start", Error: e + ": " + q.Get("error_description")})
		return
	}
	cfg, provider, err := h.client(ctx)
	if err != nil {
		h.fail(w, "The provider's discovery document could not be read.", err)
		return
	}
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(p.Verifier))
	if err != nil {
		h.fail(w, "The code could not be redeemed.", err)
		return
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: h.o.ClientID}).Verify(ctx, rawID)
	if err != nil || idt.Nonce != p.Nonce {
		h.fail(w, "The ID token did not verify.", errors.Join(err, errors.New("nonce mismatch")))
		return
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		h.fail(w, "The ID token's claims could not be read.", err)
		return
	}
	pretty, _ := json.MarshalIndent(claims, "", "  ")
	h.render(w, http.StatusOK, view{Start: h.o.Base + "/start", Subject: idt.Subject, Claims: string(pretty)})
}

// client discovers the provider once and returns the OAuth configuration.
func (h *Handler) client(ctx context.Context) (*oauth2.Config, *oidc.Provider, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.provider == nil {
		p, err := oidc.NewProvider(ctx, h.o.Issuer)
		if err != nil {
			return nil, nil, err
		}
		h.provider = p
	}
	return &oauth2.Config{
		ClientID: h.o.ClientID, ClientSecret: h.o.ClientSecret, Endpoint: h.provider.Endpoint(),
		RedirectURL: h.o.Base + "/callback",
		Scopes:      []string{oidc.ScopeOpenID, "profile", "email", "groups"},
	}, h.provider, nil
}

func (h *Handler) fail(w http.ResponseWriter, message string, err error) {
	h.o.Log.Warn("demo sign-in failed", "err", err)
	h.render(w, http.StatusBadGateway, view{Start: h.o.Base + "/start", Error: message})
}

type view struct {
	Start   string
	Subject string
	Claims  string
	Error   string
}

func (h *Handler) render(w http.ResponseWriter, status int, v view) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := page.Execute(w, struct {
		view
		Static string
	}{v, staticPath(h.o.Issuer)}); err != nil {
		h.o.Log.Error("render demo page", "err", err)
	}
}

var page = template.Must(template.New("demo").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo relying party · Gatehouse</title><link rel="stylesheet" href="{{.Static}}/style.css"></head>
<body><main class="card">
<header class="brand"><span class="mark" aria-hidden="true">◆</span> Gatehouse demo</header>
{{if .Error}}<h1>Sign-in failed</h1><p class="alert" role="alert">{{.Error}}</p>
{{else if .Claims}}<h1>Signed in</h1><p>The ID token for <code id="subject">{{.Subject}}</code> verified. Its claims:</p><pre id="claims">{{.Claims}}</pre>
{{else}}<h1>Demo relying party</h1><p>This page is a client of this provider. It signs you in with the authorization code flow and PKCE, then shows the ID token's claims. Try <code>alice</code> / <code>alice-password</code>.</p>{{end}}
<p><a class="button primary" id="start" href="{{.Start}}">Sign in</a></p>
</main></body></html>
`))

// staticPath is where the provider serves its stylesheet: under the
// issuer's path.
func staticPath(issuer string) string {
	u, err := url.Parse(issuer)
	if err != nil {
		return "/static"
	}
	return strings.TrimSuffix(u.Path, "/") + "/static"
}
