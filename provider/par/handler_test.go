package par

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/clientauth"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

const redirect = "https://rp.example/cb"

// fakeAuth accepts client "rp" with secret "s" in the form.
type fakeAuth struct{}

func (fakeAuth) AuthenticateRequest(_ context.Context, _ *http.Request, form url.Values) (clientauth.Result, *oauth.Error) {
	if form.Get("client_id") != "rp" || form.Get("client_secret") != "s" {
		return clientauth.Result{}, oauth.ErrInvalidClient()
	}
	return clientauth.Result{Client: testClient(), Method: clientauth.MethodSecretPost}, nil
}

func (fakeAuth) WriteError(w http.ResponseWriter, _ http.Header, e *oauth.Error) { e.WriteJSON(w) }

func testClient() oauth.Client {
	return oauth.Client{ID: "rp", Metadata: oauth.Metadata{RedirectURIs: []string{redirect}}}
}

func newTestHandler(t *testing.T, proof ProofCheck) (*Handler, *Store) {
	t.Helper()
	store, _ := newTestStore()
	h, err := New(Options{
		Auth: fakeAuth{}, Store: store, Proof: proof,
		Parse: authorize.Deps{
			Config: authorize.Config{Issuer: "https://op.example"},
			Clients: func(_ context.Context, id string) (oauth.Client, error) {
				if id == "rp" {
					return testClient(), nil
				}
				return oauth.Client{}, storage.ErrNotFound
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return h, store
}

func validForm() url.Values {
	return url.Values{
		"client_id": {"rp"}, "client_secret": {"s"}, "response_type": {"code"},
		"redirect_uri": {redirect}, "scope": {"openid"}, "state": {"st"},
	}
}

func push(h *Handler, target, contentType, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	w := httptest.NewRecorder()
	h.Push(w, r)
	return w
}

func TestPush(t *testing.T) {
	h, store := newTestHandler(t, nil)
	w := push(h, "/par", "application/x-www-form-urlencoded", validForm().Encode())
	var got pushResponse
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusCreated {
		t.Fatalf("push: %d %s", w.Code, w.Body)
	}
	if got.ExpiresIn != 60 || w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("answer %+v, headers %v", got, w.Header())
	}
	req, err := store.Take(context.Background(), "rp", got.RequestURI)
	if err != nil || req.State != "st" || req.RedirectURI != redirect {
		t.Errorf("stored %+v, %v", req, err)
	}
}

func TestPushErrors(t *testing.T) {
	big := validForm()
	big.Set("state", strings.Repeat("s", maxBody))
	tests := []struct {
		name, target, contentType, body string
		status                          int
		code                            string
	}{
		{"not a form", "/par", "application/json", "{}", http.StatusBadRequest, "invalid_request"},
		{"parameters in the URL", "/par?state=x", "application/x-www-form-urlencoded", validForm().Encode(), http.StatusBadRequest, "invalid_request"},
		{"too large", "/par", "application/x-www-form-urlencoded", big.Encode(), http.StatusRequestEntityTooLarge, "invalid_request"},
		{"not authenticated", "/par", "application/x-www-form-urlencoded", with(validForm(), "client_secret", "wrong").Encode(), http.StatusUnauthorized, "invalid_client"},
		{"request_uri pushed", "/par", "application/x-www-form-urlencoded", with(validForm(), "request_uri", "urn:x").Encode(), http.StatusBadRequest, "invalid_request"},
		{"unregistered redirect_uri", "/par", "application/x-www-form-urlencoded", with(validForm(), "redirect_uri", "https://evil.example/").Encode(), http.StatusBadRequest, "invalid_request"},
		{"no response_type", "/par", "application/x-www-form-urlencoded", with(validForm(), "response_type", "").Encode(), http.StatusBadRequest, "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := newTestHandler(t, nil)
			w := push(h, tc.target, tc.contentType, tc.body)
			var body struct{ Error string }
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != tc.status || body.Error != tc.code {
				t.Errorf("%d %s, want %d %s", w.Code, w.Body, tc.status, tc.code)
			}
			if w.Header().Get("Location") != "" {
				t.Error("an error from /par was redirected")
			}
		})
	}
}

// TestPushProofBinding: the key of the push's proof becomes the stored
// request's dpop_jkt (RFC 9449 §10.1); a dpop_jkt naming another key is
// refused, and so is a refused proof, before the client is authenticated.
func TestPushProofBinding(t *testing.T) {
	const key, other = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I", "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
	refused := oauth.ErrInvalidDPoPProof().WithDescription("bad proof")
	tests := []struct {
		name    string
		jkt     string
		proofE  *oauth.Error
		dpopJKT string
		want    string // stored dpop_jkt, or the error code
	}{
		{name: "proof binds", jkt: key, want: key},
		{name: "proof and same dpop_jkt", jkt: key, dpopJKT: key, want: key},
		{name: "dpop_jkt alone", dpopJKT: other, want: other},
		{name: "neither", want: ""},
		{name: "proof and other dpop_jkt", jkt: key, dpopJKT: other, want: "invalid_dpop_proof"},
		{name: "proof refused", proofE: refused, want: "invalid_dpop_proof"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			authenticated := false
			h, store := newTestHandler(t, func(r *http.Request, hd http.Header) (string, func(context.Context) *oauth.Error, *oauth.Error) {
				if tc.proofE != nil {
					hd.Set("DPoP-Nonce", "n")
				}
				return tc.jkt, nil, tc.proofE
			})
			h.opts.Auth = recordingAuth{seen: &authenticated}
			form := validForm()
			if tc.dpopJKT != "" {
				form.Set("dpop_jkt", tc.dpopJKT)
			}
			w := push(h, "/par", "application/x-www-form-urlencoded", form.Encode())
			if w.Code != http.StatusCreated {
				var body struct{ Error string }
				_ = json.Unmarshal(w.Body.Bytes(), &body)
				if body.Error != tc.want || w.Code != http.StatusBadRequest {
					t.Fatalf("%d %s, want %s", w.Code, w.Body, tc.want)
				}
				if tc.proofE != nil && (authenticated || w.Header().Get("DPoP-Nonce") != "n") {
					t.Errorf("refused proof: authenticated %v, headers %v", authenticated, w.Header())
				}
				return
			}
			var got pushResponse
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			req, err := store.Take(context.Background(), "rp", got.RequestURI)
			if err != nil || req.DPoPJKT != tc.want {
				t.Errorf("stored dpop_jkt %q (%v), want %q", req.DPoPJKT, err, tc.want)
			}
		})
	}
}

// recordingAuth is fakeAuth that notes it was asked.
type recordingAuth struct {
	fakeAuth
	seen *bool
}

func (a recordingAuth) AuthenticateRequest(ctx context.Context, r *http.Request, form url.Values) (clientauth.Result, *oauth.Error) {
	*a.seen = true
	return a.fakeAuth.AuthenticateRequest(ctx, r, form)
}

func TestNewRefusesBadOptions(t *testing.T) {
	store, _ := newTestStore()
	deps := authorize.Deps{Clients: func(context.Context, string) (oauth.Client, error) { return oauth.Client{}, nil }}
	for name, o := range map[string]Options{
		"no authenticator":  {Store: store, Parse: deps},
		"no store":          {Auth: fakeAuth{}, Parse: deps},
		"lifetime too long": {Auth: fakeAuth{}, Store: store, Parse: deps, Lifetime: MaxLifetime + 1},
		"negative lifetime": {Auth: fakeAuth{}, Store: store, Parse: deps, Lifetime: -1},
		"no client lookup":  {Auth: fakeAuth{}, Store: store},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// with returns a copy of v with key set to value ("" deletes it).
func with(v url.Values, key, value string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	if value == "" {
		out.Del(key)
	} else {
		out.Set(key, value)
	}
	return out
}

// TestProofUsedAfterAuthentication: the proof's jti is recorded (use)
// only for an authenticated client, and a refused use refuses the push.
func TestProofUsedAfterAuthentication(t *testing.T) {
	for _, tc := range []struct {
		name     string
		secret   string
		useErr   *oauth.Error
		wantCode int
		wantUsed bool
	}{
		{"unknown client", "wrong", nil, http.StatusUnauthorized, false},
		{"authenticated", "s", nil, http.StatusCreated, true},
		{"replayed proof", "s", oauth.ErrInvalidDPoPProof(), http.StatusBadRequest, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			used := false
			h, _ := newTestHandler(t, func(*http.Request, http.Header) (string, func(context.Context) *oauth.Error, *oauth.Error) {
				return "jkt", func(context.Context) *oauth.Error { used = true; return tc.useErr }, nil
			})
			form := validForm()
			form.Set("client_secret", tc.secret)
			w := push(h, "/par", "application/x-www-form-urlencoded", form.Encode())
			if w.Code != tc.wantCode || used != tc.wantUsed {
				t.Errorf("%d, used %v; want %d, used %v (%s)", w.Code, used, tc.wantCode, tc.wantUsed, w.Body)
			}
		})
	}
}
