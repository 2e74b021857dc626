package limit

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// maxBody bounds the form read, as Gatehouse bounds a token request
// (provider/oauth.MaxTokenRequest).
const maxBody = 64 << 10

// Config is what the limit server needs.
type Config struct {
	// Issuer is iss and aud of the tokens, e.g. http://127.0.0.1:PORT.
	Issuer string
	// ClientID and Secret are the one client, with its plaintext secret.
	ClientID, Secret string
	// Alg is RS256 or ES256.
	Alg string
}

// Handler answers POST /token for client_credentials, and nothing else.
type Handler struct {
	issuer         string
	clientID       []byte
	secret         []byte
	signer         *signer
	now            func() time.Time
	expiresIn      string
	unknownGrant   []byte
	invalidClient  []byte
	invalidRequest []byte
}

// New makes a handler with a fresh signing key.
func New(c Config) (*Handler, error) {
	if c.Issuer == "" || c.ClientID == "" || c.Secret == "" {
		return nil, errors.New("limit: an issuer, a client id and a secret are needed")
	}
	s, err := newSigner(c.Alg)
	if err != nil {
		return nil, err
	}
	return &Handler{
		issuer: c.Issuer, clientID: []byte(c.ClientID), secret: []byte(c.Secret), signer: s, now: time.Now,
		expiresIn:      strconv.Itoa(int(tokenLifetime / time.Second)),
		unknownGrant:   errorBody("unsupported_grant_type"),
		invalidClient:  errorBody("invalid_client"),
		invalidRequest: errorBody("invalid_request"),
	}, nil
}

// PublicKey is the key the tokens verify with.
func (h *Handler) PublicKey() any { return h.signer.pub }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Every answer of a token endpoint says no-store (RFC 6749 §5.1).
	w.Header().Set("Cache-Control", "no-store")
	switch {
	case r.URL.Path != "/token":
		http.NotFound(w, r)
		return
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, h.invalidRequest)
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, h.unknownGrant)
		return
	}
	if !h.authenticate(r) {
		// RFC 6749 §5.2: a client that tried Basic gets the challenge.
		w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
		writeJSON(w, http.StatusUnauthorized, h.invalidClient)
		return
	}
	scope := r.PostForm.Get("scope")
	tok, err := h.signer.accessToken(h.issuer, string(h.clientID), scope, h.now())
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusOK, h.tokenBody(tok, scope))
}

// authenticate checks client_secret_basic: both halves form-encoded
// (RFC 6749 §2.3.1), compared in constant time; both comparisons always
// run, so the time does not tell which half was wrong.
func (h *Handler) authenticate(r *http.Request) bool {
	rawID, rawSecret, ok := r.BasicAuth()
	if !ok {
		return false
	}
	id, err1 := url.QueryUnescape(rawID)
	secret, err2 := url.QueryUnescape(rawSecret)
	if err1 != nil || err2 != nil {
		return false
	}
	idOK := subtle.ConstantTimeCompare([]byte(id), h.clientID)
	secretOK := subtle.ConstantTimeCompare([]byte(secret), h.secret)
	return idOK&secretOK == 1
}

// tokenBody is the RFC 6749 §5.1 answer, built by hand: the fields are
// fixed and a JSON encoder per request would be the server's own cost.
func (h *Handler) tokenBody(token, scope string) []byte {
	b := make([]byte, 0, len(token)+128)
	b = append(b, `{"access_token":"`...)
	b = append(b, token...) // base64url and dots: nothing to escape
	b = append(b, `","token_type":"Bearer","expires_in":`...)
	b = append(b, h.expiresIn...)
	if scope != "" {
		b = append(b, `,"scope":`...)
		quoted, _ := json.Marshal(scope) // a string always marshals
		b = append(b, quoted...)
	}
	return append(b, '}')
}

func errorBody(code string) []byte {
	b, _ := json.Marshal(map[string]string{"error": code}) // a map of strings always marshals
	return b
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body) // a client gone away is not the server's problem
}
