package authorize

import (
	"slices"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// clientMode is the mode a response to client c goes in, given the mode
// the request resolved to. A client that registered
// authorization_signed_response_alg wants every response signed (JARM §3:
// "the response will be signed using JWS and the configured algorithm"),
// so a plain mode becomes its JWT form — when the server serves that.
func clientMode(mode string, c oauth.Client, enabled []string) string {
	if c.Metadata.AuthorizationSignedResponseAlg == "" || IsJWTMode(mode) {
		return mode
	}
	if jwt := mode + ".jwt"; slices.Contains(enabled, jwt) {
		return jwt
	}
	return mode
}
