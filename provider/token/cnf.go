package token

import (
	"context"

	"github.com/gatehouse-idp/gatehouse/provider/clientauth"
	"github.com/gatehouse-idp/gatehouse/provider/mtls"
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
