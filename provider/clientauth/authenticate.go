package clientauth

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// Result is an authenticated client and the method it used.
type Result struct {
	Client oauth.Client
	Method string
	// Certificate is the client certificate the request presented, if
	// any: the one a mutual-TLS method checked, or one a public client
	// presented for certificate-bound tokens (RFC 8705 §4).
	Certificate *x509.Certificate
}

// credentials are what one request presents. Exactly one of the Basic
// header, a body secret or an assertion is set, or none of them.
type credentials struct {
	basic         bool // the Authorization header was used
	clientID      string
	secret        string
	formClientID  string
	assertion     string
	assertionType string
}

// Authenticate authenticates the client of a request from its header and
// its parsed body (r.PostForm: RFC 6749 §2.3.1 allows credentials in the
// body only, never in the URL). Write a returned error with WriteError.
func (a *Authenticator) Authenticate(ctx context.Context, header http.Header, form url.Values) (Result, *oauth.Error) {
	return a.authenticate(ctx, header, form, nil)
}

func (a *Authenticator) authenticate(ctx context.Context, header http.Header, form url.Values, cert *Certificate) (Result, *oauth.Error) {
	cr, e := a.read(header, form)
	if e != nil {
		return Result{}, e
	}
	switch {
	case cr.assertion != "" || cr.assertionType != "":
		return a.byAssertion(ctx, cr)
	case cr.basic:
		return a.bySecret(ctx, cr, MethodSecretBasic)
	case cr.secret != "":
		return a.bySecret(ctx, cr, MethodSecretPost)
	}
	return a.public(ctx, cr, cert)
}

// read collects the credentials and refuses a request that presents more
// than one kind. A parameter with an empty value counts as absent
// (RFC 6749 §3.1); one given twice is invalid_request (§3.2).
func (a *Authenticator) read(header http.Header, form url.Values) (credentials, *oauth.Error) {
	for _, name := range []string{"client_id", "client_secret", "client_assertion", "client_assertion_type"} {
		if len(form[name]) > 1 {
			return credentials{}, invalidRequest(name + " is given more than once.")
		}
	}
	cr := credentials{
		clientID:      form.Get("client_id"),
		formClientID:  form.Get("client_id"),
		secret:        form.Get("client_secret"),
		assertion:     form.Get("client_assertion"),
		assertionType: form.Get("client_assertion_type"),
	}
	authz := header.Values("Authorization")
	cr.basic = len(authz) > 0
	if countTrue(cr.basic, cr.secret != "", cr.assertion != "" || cr.assertionType != "") > 1 {
		// RFC 6749 §2.3: "The client MUST NOT use more than one
		// authentication method in each request."
		return credentials{}, invalidRequest("Use exactly one client authentication method per request.")
	}
	if !cr.basic {
		return cr, nil
	}
	var e *oauth.Error
	cr.clientID, cr.secret, e = a.readBasic(authz, cr.formClientID)
	return cr, e
}

// readBasic reads the client from the Authorization header; a client_id
// in the body, if any, must name the same client.
func (a *Authenticator) readBasic(authz []string, formClientID string) (id, secret string, e *oauth.Error) {
	if len(authz) > 1 {
		return "", "", a.refuse(true, "Send one Authorization header.", errMalformedHeader)
	}
	id, secret, err := parseBasic(authz[0])
	if err != nil {
		return "", "", a.refuse(true, "The Authorization header must hold Basic client credentials.", err)
	}
	if formClientID != "" && formClientID != id {
		return "", "", a.refuse(true, descFailed, errClientIDMismatch)
	}
	return id, secret, nil
}

func countTrue(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// parseBasic reads "Basic base64(id:secret)", where id and secret were
// form-urlencoded first (RFC 6749 §2.3.1). The split comes before the
// unescaping: an encoded id holds no colon, a secret may.
func parseBasic(value string) (id, secret string, err error) {
	scheme, token, _ := strings.Cut(strings.TrimSpace(value), " ")
	if !strings.EqualFold(scheme, "Basic") {
		return "", "", fmt.Errorf("%w: scheme %q", errMalformedHeader, scheme)
	}
	token = strings.TrimSpace(token)
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(token)
	}
	if err != nil {
		return "", "", fmt.Errorf("%w: %w", errMalformedHeader, err)
	}
	encID, encSecret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", fmt.Errorf("%w: no colon", errMalformedHeader)
	}
	if id, err = url.QueryUnescape(encID); err != nil {
		return "", "", fmt.Errorf("%w: client id: %w", errMalformedHeader, err)
	}
	if secret, err = url.QueryUnescape(encSecret); err != nil {
		return "", "", fmt.Errorf("%w: secret: %w", errMalformedHeader, err)
	}
	if id == "" {
		return "", "", fmt.Errorf("%w: empty client id", errMalformedHeader)
	}
	return id, secret, nil
}

// public authenticates a client that presents only its client_id: allowed
// for clients registered with none (RFC 6749 §2.1 public clients), whose
// grants then rely on PKCE.
func (a *Authenticator) public(ctx context.Context, cr credentials, cert *Certificate) (Result, *oauth.Error) {
	if cr.clientID == "" || !(a.enabled(MethodNone) || a.enabled(MethodTLS) || a.enabled(MethodSelfSignedTLS)) {
		return Result{}, a.refuse(false, descRequired, errNoCredentials)
	}
	c, e := a.lookup(ctx, cr.clientID, false)
	if e != nil {
		return Result{}, e
	}
	switch m := registeredMethod(c); m {
	case MethodTLS, MethodSelfSignedTLS:
		return a.byCertificate(ctx, c, m, cert)
	case MethodNone:
		if !a.enabled(MethodNone) {
			return Result{}, a.refuse(false, descRequired, errNoCredentials)
		}
	default:
		return Result{}, a.refuse(false, descRequired, fmt.Errorf("%w: registered %s, used none", errMethodMismatch, m))
	}
	res := Result{Client: c, Method: MethodNone}
	if cert != nil {
		res.Certificate = cert.Leaf
	}
	return res, nil
}

// lookup fetches the client. The store must return the client asked for,
// exactly: a directory that matches ids without regard to case could
// otherwise hand back another spelling of the id than the one presented.
//
// An ID longer than any client can have is refused as unknown before the
// directory is asked: it cannot name a client, and a directory may
// answer such a name with an error of its own (OpenLDAP's invalidDNSyntax
// for a DN over 8 KiB).
func (a *Authenticator) lookup(ctx context.Context, id string, triedBasic bool) (oauth.Client, *oauth.Error) {
	if len(id) > oauth.MaxClientID {
		return oauth.Client{}, a.refuse(triedBasic, descFailed, fmt.Errorf("%w: a client_id of %d bytes (at most %d)", errUnknownClient, len(id), oauth.MaxClientID))
	}
	c, err := a.clients(ctx, id)
	switch {
	case err == nil && c.ID == id:
		return c, nil
	case err == nil:
		return c, a.refuse(triedBasic, descFailed, fmt.Errorf("%w: the store returned %q for %q", errUnknownClient, c.ID, id))
	case errors.Is(err, storage.ErrNotFound):
		return c, a.refuse(triedBasic, descFailed, fmt.Errorf("%w: %w", errUnknownClient, err))
	case errors.Is(err, storage.ErrUnavailable), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return c, unavailable(err)
	}
	return c, serverError(err)
}

// checkMethod refuses a client that registered another method than the
// one it used.
func (a *Authenticator) checkMethod(c oauth.Client, used string, triedBasic bool) *oauth.Error {
	if m := registeredMethod(c); m != used {
		return a.refuse(triedBasic, descFailed, fmt.Errorf("%w: registered %s, used %s", errMethodMismatch, m, used))
	}
	return nil
}
