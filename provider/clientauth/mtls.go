package clientauth

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gatehouse-idp/gatehouse/provider/mtls"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// The mutual-TLS methods (RFC 8705 §2).
const (
	MethodTLS           = "tls_client_auth"
	MethodSelfSignedTLS = "self_signed_tls_client_auth"
)

// Certificate is the client certificate of a request, where it came from.
type Certificate struct {
	Leaf *x509.Certificate
	// Chain holds the intermediates the client sent over native TLS.
	Chain []*x509.Certificate
	// ProxyVerified: a TLS-terminating proxy passed the certificate in a
	// header; for tls_client_auth it has checked the chain (RFC 8705 §2.1
	// leaves that to whoever terminates TLS).
	ProxyVerified bool
}

// PresentedCertificate reads the request's client certificate: from the
// configured proxy header when there is one — and then only from it, since
// the proxy terminates TLS — else from Gatehouse's own TLS connection.
func (a *Authenticator) PresentedCertificate(r *http.Request) (*Certificate, error) {
	if a.certHeader != "" {
		cert, err := mtls.FromHeader(r.Header.Get(a.certHeader))
		if errors.Is(err, mtls.ErrNoCertificate) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return &Certificate{Leaf: cert, ProxyVerified: true}, nil
	}
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return nil, nil
	}
	return &Certificate{Leaf: r.TLS.PeerCertificates[0], Chain: r.TLS.PeerCertificates[1:]}, nil
}

// AuthenticateRequest authenticates the client of r, with its client
// certificate when it presents one. form is r's parsed body.
func (a *Authenticator) AuthenticateRequest(ctx context.Context, r *http.Request, form url.Values) (Result, *oauth.Error) {
	cert, err := a.PresentedCertificate(r)
	if err != nil {
		return Result{}, a.refuse(false, "The client certificate could not be read.", err)
	}
	return a.authenticate(ctx, r.Header, form, cert)
}

// byCertificate authenticates a client that presents its client_id and a
// certificate and registered one of the mutual-TLS methods.
func (a *Authenticator) byCertificate(ctx context.Context, c oauth.Client, method string, cert *Certificate) (Result, *oauth.Error) {
	if !a.enabled(method) {
		return Result{}, a.refuse(false, descFailed, fmt.Errorf("%w: %s is not enabled", errMethodMismatch, method))
	}
	if cert == nil {
		return Result{}, a.refuse(false, "A client certificate is required.", errNoCredentials)
	}
	switch method {
	case MethodTLS:
		if !cert.ProxyVerified {
			if err := mtls.VerifyChain(cert.Leaf, cert.Chain, a.clientCAs, a.now()); err != nil {
				return Result{}, a.refuse(false, descFailed, err)
			}
		}
		ok, err := mtls.MatchClient(c, cert.Leaf)
		if err != nil || !ok {
			return Result{}, a.refuse(false, descFailed, errors.Join(errors.New("certificate does not match the registered subject"), err))
		}
	case MethodSelfSignedTLS:
		set, e := a.keySet(ctx, c, false)
		if e != nil {
			return Result{}, e
		}
		if !mtls.MatchSelfSigned(set, cert.Leaf) {
			if set, e = a.keySet(ctx, c, true); e != nil || !mtls.MatchSelfSigned(set, cert.Leaf) {
				return Result{}, a.refuse(false, descFailed, errors.New("certificate key is not among the client's keys"))
			}
		}
	}
	return Result{Client: c, Method: method, Certificate: cert.Leaf}, nil
}
