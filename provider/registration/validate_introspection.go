package registration

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// The client metadata of JWT introspection responses (RFC 9701 §6), kept
// among the extra members; the introspection endpoint reads them with
// the same names.
const (
	memberIntrospectionSignAlg = "introspection_signed_response_alg"
	memberIntrospectionEncAlg  = "introspection_encrypted_response_alg"
	memberIntrospectionEncEnc  = "introspection_encrypted_response_enc"
)

// introspection checks the RFC 9701 members as the other JWS and JWE
// members are checked, so that a value the server cannot honour is
// refused here rather than failing each introspection later.
func (v *validator) introspection() *oauth.Error {
	var vals [3]string
	for i, name := range []string{memberIntrospectionSignAlg, memberIntrospectionEncAlg, memberIntrospectionEncEnc} {
		raw, ok := v.m.Extra[name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, &vals[i]); err != nil {
			return invalidMetadata(name, "must be a string")
		}
	}
	sign, alg, enc := vals[0], vals[1], vals[2]
	if sign != "" && !slices.Contains(jwsAlgs, sign) {
		return unsupported(memberIntrospectionSignAlg, sign, jwsAlgs)
	}
	if alg == "" {
		if enc != "" {
			return invalidMetadata(memberIntrospectionEncEnc, "needs %s as well", memberIntrospectionEncAlg)
		}
	} else {
		if !slices.Contains(jweAlgs, alg) {
			return unsupported(memberIntrospectionEncAlg, alg, jweAlgs)
		}
		if enc != "" && !slices.Contains(jweEncs, enc) {
			return unsupported(memberIntrospectionEncEnc, enc, jweEncs)
		}
		if alg != "dir" && !v.hasKeys() {
			return invalidMetadata(memberIntrospectionEncAlg, "%s encrypts to the client's public key: register jwks or jwks_uri", alg)
		}
	}
	if v.m.TokenEndpointAuthMethod == methodNone {
		if strings.HasPrefix(sign, "HS") {
			return invalidMetadata(memberIntrospectionSignAlg, "%s needs a client secret, which a client with token_endpoint_auth_method none does not have", sign)
		}
		if alg == "dir" {
			return invalidMetadata(memberIntrospectionEncAlg, "dir needs a client secret, which a client with token_endpoint_auth_method none does not have")
		}
	}
	return nil
}
