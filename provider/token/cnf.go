package token

import (
	"context"
	"crypto/subtle"
	"maps"

	"github.com/gatehouse-idp/gatehouse/provider/clientauth"
	"github.com/gatehouse-idp/gatehouse/provider/mtls"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Certificate-bound access tokens (RFC 8705 §3): a client authenticated by
// mutual TLS — and a public client that registered
// tls_client_certificate_bound_access_tokens and presents a certificate —
// gets tokens that carry the certificate's SHA-256 thumbprint in cnf, so
// that only the holder of its key can use them.
func confirmation(auth clientauth.Result) map[string]any {
	switch {
	case auth.Certificate == nil:
		return nil
	case auth.Method == clientauth.MethodTLS, auth.Method == clientauth.MethodSelfSignedTLS,
		auth.Client.Metadata.TLSClientCertificateBoundAccessTokens:
		return mtls.Confirmation(auth.Certificate)
	}
	return nil
}

type cnfKey struct{}

// withConfirmation carries the binding of this request's tokens to the
// grants, which all mint through the same call.
func withConfirmation(ctx context.Context, cnf map[string]any) context.Context {
	if cnf == nil {
		return ctx
	}
	return context.WithValue(ctx, cnfKey{}, cnf)
}

func confirmationOf(ctx context.Context) map[string]any {
	cnf, _ := ctx.Value(cnfKey{}).(map[string]any)
	return cnf
}

// refreshBindingKey keeps, in the authorization's data, the certificate
// thumbprint that a public client's refresh tokens are bound to: a public
// client has no credentials of its own, so RFC 8705 §4 binds its refresh
// tokens to the certificate it used.
const refreshBindingKey = "refresh_x5t#S256"

// publicBinding is the thumbprint a public client's new refresh tokens are
// bound to, or "" when they are not bound.
func publicBinding(ctx context.Context, c oauth.Client) string {
	if c.Metadata.TokenEndpointAuthMethod != clientauth.MethodNone {
		return ""
	}
	thumb, _ := confirmationOf(ctx)[mtls.ConfirmationMember].(string)
	return thumb
}

// withRefreshBinding records (or clears) the binding in data.
func withRefreshBinding(data map[string]any, thumb string) map[string]any {
	if thumb == "" {
		if _, ok := data[refreshBindingKey]; ok {
			data = maps.Clone(data)
			delete(data, refreshBindingKey)
		}
		return data
	}
	data = maps.Clone(data)
	if data == nil {
		data = map[string]any{}
	}
	data[refreshBindingKey] = thumb
	return data
}

// holdsRefreshBinding reports whether this request presents the
// certificate the authorization's refresh tokens are bound to, if any.
func holdsRefreshBinding(ctx context.Context, a oauth.Authorization) bool {
	want, bound := a.Data[refreshBindingKey].(string)
	if !bound {
		return true
	}
	got, _ := confirmationOf(ctx)[mtls.ConfirmationMember].(string)
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
