package registration

import (
	"encoding/json"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/mtls"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// keys: a client gives its public keys by value or by reference, not both
// (RFC 7591 §2), and never a private or symmetric key.
func (v *validator) keys() *oauth.Error {
	m := v.m
	if m.JWKSURI != "" && len(m.JWKS) > 0 {
		return invalidMetadata("jwks", "give jwks or jwks_uri, not both")
	}
	if len(m.JWKS) == 0 {
		return nil
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(m.JWKS, &set); err != nil {
		return invalidMetadata("jwks", "is not a JWK set the server can read")
	}
	if len(set.Keys) == 0 {
		return invalidMetadata("jwks", "holds no keys")
	}
	for _, k := range set.Keys {
		if !k.Valid() || !k.IsPublic() {
			return invalidMetadata("jwks", "must hold public keys only (key %q)", k.KeyID)
		}
	}
	return nil
}

// authMethod defaults to client_secret_basic (RFC 7591 §2) and must be one
// the server offers. The JWT methods and self-signed certificates need the
// client's keys (RFC 7523, RFC 8705 §2.2).
func (v *validator) authMethod() *oauth.Error {
	m := v.m
	if m.TokenEndpointAuthMethod == "" {
		m.TokenEndpointAuthMethod = methodBasic
	}
	method := m.TokenEndpointAuthMethod
	if !slices.Contains(v.policy.AuthMethods, method) {
		return unsupported("token_endpoint_auth_method", method, v.policy.AuthMethods)
	}
	if (method == methodPrivateJWT || method == methodSelfTLS) && !v.hasKeys() {
		return invalidMetadata("token_endpoint_auth_method", "%s needs the client's public keys in jwks or jwks_uri", method)
	}
	alg := m.TokenEndpointAuthSigningAlg
	if alg == "" {
		return nil
	}
	hmac := strings.HasPrefix(alg, "HS")
	switch {
	case method != methodSecretJWT && method != methodPrivateJWT:
		return invalidMetadata("token_endpoint_auth_signing_alg", "applies to client_secret_jwt and private_key_jwt only, not %s", method)
	case !slices.Contains(jwsAlgs, alg):
		return unsupported("token_endpoint_auth_signing_alg", alg, jwsAlgs)
	case method == methodSecretJWT && !hmac:
		return invalidMetadata("token_endpoint_auth_signing_alg", "must be HS256, HS384 or HS512 with client_secret_jwt, not %s", alg)
	case method == methodPrivateJWT && hmac:
		return invalidMetadata("token_endpoint_auth_signing_alg", "must be an RS, PS, ES or EdDSA algorithm with private_key_jwt, not %s", alg)
	}
	return nil
}

// subjectField is one of the RFC 8705 §2.1.2 certificate subject members.
type subjectField struct {
	name, value string
	problem     func(string) string
}

func (v *validator) subjectFields() []subjectField {
	m := v.m
	return []subjectField{
		{"tls_client_auth_subject_dn", m.TLSClientAuthSubjectDN, dnProblem},
		{"tls_client_auth_san_dns", m.TLSClientAuthSANDNS, dnsProblem},
		{"tls_client_auth_san_uri", m.TLSClientAuthSANURI, absoluteURIProblem},
		{"tls_client_auth_san_ip", m.TLSClientAuthSANIP, ipProblem},
		{"tls_client_auth_san_email", m.TLSClientAuthSANEmail, emailProblem},
	}
}

// tlsClientAuth: RFC 8705 §2.1.2 — a tls_client_auth client uses exactly
// one of the five subject members.
func (v *validator) tlsClientAuth() *oauth.Error {
	var given []string
	for _, f := range v.subjectFields() {
		if f.value == "" {
			continue
		}
		if p := f.problem(f.value); p != "" {
			return invalidMetadata(f.name, "%s %s", quote(f.value), p)
		}
		given = append(given, f.name)
	}
	if v.m.TokenEndpointAuthMethod != methodTLS {
		return nil
	}
	switch len(given) {
	case 0:
		return invalidMetadata("token_endpoint_auth_method", "tls_client_auth needs exactly one of tls_client_auth_subject_dn, "+
			"tls_client_auth_san_dns, tls_client_auth_san_uri, tls_client_auth_san_ip and tls_client_auth_san_email")
	case 1:
		return nil
	}
	return invalidMetadata(given[1], "tls_client_auth takes exactly one subject member, and %s is given as well", given[0])
}

// dnProblem parses the subject as the token endpoint will, so that a
// subject that could never match is refused now (RFC 4514 syntax; types
// beyond the common names written as numeric OIDs).
func dnProblem(s string) string {
	if err := mtls.ValidateSubjectDN(s); err != nil {
		return "is not a distinguished name (RFC 4514)"
	}
	return ""
}

func dnsProblem(s string) string {
	for _, label := range strings.Split(strings.TrimPrefix(s, "*."), ".") {
		if label == "" || len(label) > 63 || strings.Trim(label, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
			return "is not a DNS name"
		}
	}
	return ""
}

func absoluteURIProblem(s string) string {
	if u, err := url.Parse(s); err != nil || u.Scheme == "" {
		return "is not an absolute URI"
	}
	return ""
}

func ipProblem(s string) string {
	if _, err := netip.ParseAddr(s); err != nil {
		return "is not an IP address"
	}
	return ""
}

func emailProblem(s string) string {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(s, " <>") {
		return "is not an email address"
	}
	return ""
}
