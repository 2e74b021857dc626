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

// A public client has no credentials of its own, so its refresh tokens
// are bound to what its requests prove: the certificate (RFC 8705 §4,
// cnf member x5t#S256) or the DPoP key (RFC 9449 §5, cnf member jkt).
// The authorization's data keeps each bound value under
// refreshBindingKey(member).

// refreshBindingKey is where the authorization's data keeps the value of
// cnf member that its refresh tokens are bound to: "refresh_x5t#S256",
// "refresh_jkt".
func refreshBindingKey(member string) string { return "refresh_" + member }

// publicBinding is the value of cnf member that a public client's new
// refresh tokens are bound to, or "" when they are not bound.
func publicBinding(ctx context.Context, c oauth.Client, member string) string {
	if c.Metadata.TokenEndpointAuthMethod != clientauth.MethodNone {
		return ""
	}
	v, _ := confirmationOf(ctx)[member].(string)
	return v
}

// withRefreshBinding records (or, for "", clears) the binding by member in
// data, on a copy when it changes anything.
func withRefreshBinding(data map[string]any, member, value string) map[string]any {
	key := refreshBindingKey(member)
	if value == "" {
		if _, ok := data[key]; ok {
			data = maps.Clone(data)
			delete(data, key)
		}
		return data
	}
	data = maps.Clone(data)
	if data == nil {
		data = map[string]any{}
	}
	data[key] = value
	return data
}

// holdsRefreshBinding reports whether this request proves the value of
// cnf member that the authorization's refresh tokens are bound to, if any.
func holdsRefreshBinding(ctx context.Context, a oauth.Authorization, member string) bool {
	want, bound := a.Data[refreshBindingKey(member)].(string)
	if !bound {
		return true
	}
	got, _ := confirmationOf(ctx)[member].(string)
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
