package registration

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Grant types with a rule of their own.
const (
	grantCode     = "authorization_code"
	grantImplicit = "implicit"
	grantRefresh  = "refresh_token"
)

// Token endpoint authentication methods with a rule of their own.
const (
	methodBasic      = "client_secret_basic"
	methodSecretJWT  = "client_secret_jwt"
	methodPrivateJWT = "private_key_jwt"
	methodNone       = "none"
	methodTLS        = "tls_client_auth"
	methodSelfTLS    = "self_signed_tls_client_auth"
)

// knownGrantTypes are the grant types a client may register: those of RFC
// 6749, RFC 7523, RFC 8628, RFC 8693 and OpenID CIBA. Whether the token
// endpoint serves one is its own business.
var knownGrantTypes = []string{
	grantCode, grantImplicit, grantRefresh, "client_credentials", "password",
	"urn:ietf:params:oauth:grant-type:jwt-bearer",
	"urn:ietf:params:oauth:grant-type:saml2-bearer",
	"urn:ietf:params:oauth:grant-type:device_code",
	"urn:ietf:params:oauth:grant-type:token-exchange",
	"urn:openid:params:grant-type:ciba",
}

// openGrantTypes are all that open registration allows.
var openGrantTypes = []string{grantCode, grantRefresh}

// jwsAlgs are the algorithms for ID tokens, UserInfo responses and request
// objects; jweAlgs and jweEncs their encryption. They match what the
// configuration accepts for op.authz.
var (
	jwsAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
		"ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512"}
	jweAlgs = []string{"RSA-OAEP-256", "RSA-OAEP", "RSA1_5", "ECDH-ES",
		"ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW", "dir"}
	jweEncs = []string{"A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512",
		"A128GCM", "A192GCM", "A256GCM"}
)

// defaultJWEEnc is the content encryption that OpenID Connect Registration
// §2 and JARM §3 imply when only the key management algorithm is given.
const defaultJWEEnc = "A128CBC-HS256"

func invalidMetadata(member, format string, args ...any) *oauth.Error {
	return oauth.ErrInvalidClientMetadata().WithDescription(member + ": " + fmt.Sprintf(format, args...))
}

func invalidRedirect(member, format string, args ...any) *oauth.Error {
	return oauth.ErrInvalidRedirectURI().WithDescription(member + ": " + fmt.Sprintf(format, args...))
}

// validator checks one client's metadata against the policy.
type validator struct {
	m      *oauth.Metadata
	policy Policy
	// open: the request came without a token, under open registration.
	open bool
}

// validate checks m and fills in the defaults that RFC 7591 §2 implies
// (grant_types, response_types, token_endpoint_auth_method) and the
// content encryption implied by an encryption algorithm, so that what is
// stored and returned is what is in force (RFC 7591 §3.2.1). The first
// problem found is returned, naming its member.
func validate(m *oauth.Metadata, p Policy, open bool) *oauth.Error {
	v := &validator{m: m, policy: p, open: open}
	for _, check := range []func() *oauth.Error{
		v.applicationType,
		v.grantTypes,
		v.responseTypes,
		v.redirectURIs,
		v.otherURIs,
		v.openBackchannel,
		v.openFetched,
		v.keys,
		v.authMethod,
		v.tlsClientAuth,
		v.algorithms,
		v.secretUse,
		v.misc,
		v.introspection,
		v.dpop,
		v.profile,
	} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) hasGrant(g string) bool { return slices.Contains(v.m.GrantTypes, g) }

func (v *validator) hasKeys() bool { return v.m.JWKSURI != "" || len(v.m.JWKS) > 0 }

func (v *validator) native() bool { return v.m.ApplicationType == "native" }

// applicationType: OpenID Connect Registration §2 knows web (the default)
// and native.
func (v *validator) applicationType() *oauth.Error {
	switch v.m.ApplicationType {
	case "", "web", "native":
		return nil
	}
	return invalidMetadata("application_type", "must be web or native, not %q", v.m.ApplicationType)
}

// grantTypes defaults to what the response types need, and to
// authorization_code (RFC 7591 §2) when neither is given.
func (v *validator) grantTypes() *oauth.Error {
	m := v.m
	if m.GrantTypes == nil {
		m.GrantTypes = grantsFor(m.ResponseTypes)
	}
	if len(m.GrantTypes) == 0 {
		return invalidMetadata("grant_types", "must name at least one grant type")
	}
	for _, g := range m.GrantTypes {
		if !slices.Contains(knownGrantTypes, g) {
			return invalidMetadata("grant_types", "%q is not supported", g)
		}
		if v.open && !slices.Contains(openGrantTypes, g) {
			return invalidMetadata("grant_types", "%q needs the master token: open registration allows %s only",
				g, strings.Join(openGrantTypes, " and "))
		}
	}
	return nil
}

// grantsFor is the default of grant_types for the given response types.
func grantsFor(responseTypes []string) []string {
	var grants []string
	for _, rt := range responseTypes {
		for _, tok := range strings.Fields(rt) {
			switch tok {
			case "code":
				grants = appendNew(grants, grantCode)
			case "token", "id_token":
				grants = appendNew(grants, grantImplicit)
			}
		}
	}
	if len(grants) == 0 {
		return []string{grantCode}
	}
	return grants
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// responseTypes checks each value (RFC 6749 §3.1.1 with OAuth 2.0 Multiple
// Response Type Encoding Practices) and that grants and response types
// agree, as RFC 7591 §2.1 asks: code needs authorization_code, token and
// id_token need implicit, and the other way round.
func (v *validator) responseTypes() *oauth.Error {
	m := v.m
	if m.ResponseTypes == nil {
		if v.hasGrant(grantImplicit) {
			return invalidMetadata("response_types", `must be given with the implicit grant, such as "id_token" or "id_token token"`)
		}
		m.ResponseTypes = []string{}
		if v.hasGrant(grantCode) {
			m.ResponseTypes = []string{"code"}
		}
	}
	var withCode, withImplicit bool
	for _, rt := range m.ResponseTypes {
		toks, err := responseTokens(rt)
		if err != nil {
			return err
		}
		for _, tok := range toks {
			switch tok {
			case "code":
				withCode = true
				if !v.hasGrant(grantCode) {
					return invalidMetadata("response_types", "%q needs the authorization_code grant in grant_types", rt)
				}
			case "token", "id_token":
				withImplicit = true
				if !v.hasGrant(grantImplicit) {
					return invalidMetadata("response_types", "%q needs the implicit grant in grant_types", rt)
				}
			}
		}
	}
	if v.hasGrant(grantCode) && !withCode {
		return invalidMetadata("grant_types", "authorization_code needs a response type with code in response_types")
	}
	if v.hasGrant(grantImplicit) && !withImplicit {
		return invalidMetadata("grant_types", "implicit needs a response type with token or id_token in response_types")
	}
	return nil
}

// responseTokens splits one response type into its space-separated values.
func responseTokens(rt string) ([]string, *oauth.Error) {
	toks := strings.Split(rt, " ")
	for i, tok := range toks {
		switch {
		case tok != "code" && tok != "token" && tok != "id_token" && tok != "none":
			return nil, invalidMetadata("response_types", "%q is not a supported response type", rt)
		case tok == "none" && len(toks) > 1:
			return nil, invalidMetadata("response_types", "%q: none cannot be combined", rt)
		case slices.Contains(toks[:i], tok):
			return nil, invalidMetadata("response_types", "%q repeats %s", rt, tok)
		}
	}
	return toks, nil
}

// redirectURIs are required by the grants that redirect (RFC 7591 §2,
// OpenID Connect Registration §2) and must be safe to redirect to.
func (v *validator) redirectURIs() *oauth.Error {
	m := v.m
	if len(m.RedirectURIs) == 0 && (v.hasGrant(grantCode) || v.hasGrant(grantImplicit)) {
		return invalidRedirect("redirect_uris", "required for the authorization_code and implicit grants")
	}
	for _, raw := range m.RedirectURIs {
		if p := redirectProblem(raw, v.native()); p != "" {
			return invalidRedirect("redirect_uris", "%s %s", quote(raw), p)
		}
	}
	for _, raw := range m.PostLogoutRedirectURIs {
		if p := redirectProblem(raw, v.native()); p != "" {
			return invalidMetadata("post_logout_redirect_uris", "%s %s", quote(raw), p)
		}
	}
	return nil
}

// algField is a member holding one JWS algorithm.
type algField struct {
	name    string
	value   string
	allowed []string
}

// encField is a pair of members holding a JWE algorithm and encryption.
type encField struct {
	algName, encName string
	alg, enc         *string
	algs, encs       []string
	// toClient: the server encrypts to the client's public key, which the
	// client must then have registered.
	toClient bool
}

func (v *validator) signingFields() []algField {
	m, p := v.m, v.policy
	return []algField{
		{"id_token_signed_response_alg", m.IDTokenSignedResponseAlg, jwsAlgs},
		{"userinfo_signed_response_alg", m.UserinfoSignedResponseAlg, jwsAlgs},
		{"request_object_signing_alg", m.RequestObjectSigningAlg, jwsAlgs},
		{"authorization_signed_response_alg", m.AuthorizationSignedResponseAlg, p.AuthzJWSAlgs},
	}
}

func (v *validator) encryptionFields() []encField {
	m, p := v.m, v.policy
	return []encField{
		{"id_token_encrypted_response_alg", "id_token_encrypted_response_enc",
			&m.IDTokenEncryptedResponseAlg, &m.IDTokenEncryptedResponseEnc, jweAlgs, jweEncs, true},
		{"userinfo_encrypted_response_alg", "userinfo_encrypted_response_enc",
			&m.UserinfoEncryptedResponseAlg, &m.UserinfoEncryptedResponseEnc, jweAlgs, jweEncs, true},
		{"request_object_encryption_alg", "request_object_encryption_enc",
			&m.RequestObjectEncryptionAlg, &m.RequestObjectEncryptionEnc, jweAlgs, jweEncs, false},
		{"authorization_encrypted_response_alg", "authorization_encrypted_response_enc",
			&m.AuthorizationEncryptedResponseAlg, &m.AuthorizationEncryptedResponseEnc, p.AuthzJWEAlgs, p.AuthzJWEEncs, true},
	}
}

// algorithms: only what the server supports. An encryption method needs
// its algorithm; an algorithm alone implies A128CBC-HS256.
func (v *validator) algorithms() *oauth.Error {
	for _, f := range v.signingFields() {
		if f.value != "" && !slices.Contains(f.allowed, f.value) {
			return unsupported(f.name, f.value, f.allowed)
		}
	}
	for _, f := range v.encryptionFields() {
		if *f.alg == "" {
			if *f.enc != "" {
				return invalidMetadata(f.encName, "needs %s as well", f.algName)
			}
			continue
		}
		if !slices.Contains(f.algs, *f.alg) {
			return unsupported(f.algName, *f.alg, f.algs)
		}
		if *f.enc == "" {
			*f.enc = defaultJWEEnc
		}
		if !slices.Contains(f.encs, *f.enc) {
			return unsupported(f.encName, *f.enc, f.encs)
		}
		if f.toClient && *f.alg != "dir" && !v.hasKeys() {
			return invalidMetadata(f.algName, "%s encrypts to the client's public key: register jwks or jwks_uri", *f.alg)
		}
	}
	return nil
}

func unsupported(member, value string, allowed []string) *oauth.Error {
	if len(allowed) == 0 {
		return invalidMetadata(member, "%q is not supported: this server offers none", value)
	}
	return invalidMetadata(member, "%q is not supported (supported: %s)", value, strings.Join(allowed, ", "))
}

// secretUse: HS* signatures and "dir" encryption take the client secret as
// their key (OpenID Connect Core §10.1 and §10.2), which a public client
// does not have.
func (v *validator) secretUse() *oauth.Error {
	if v.m.TokenEndpointAuthMethod != methodNone {
		return nil
	}
	for _, f := range v.signingFields() {
		if strings.HasPrefix(f.value, "HS") {
			return invalidMetadata(f.name, "%s needs a client secret, which a client with token_endpoint_auth_method none does not have", f.value)
		}
	}
	for _, f := range v.encryptionFields() {
		if *f.alg == "dir" {
			return invalidMetadata(f.algName, "dir needs a client secret, which a client with token_endpoint_auth_method none does not have")
		}
	}
	return nil
}

// misc covers the members whose values come from a short list or a range.
func (v *validator) misc() *oauth.Error {
	m := v.m
	switch m.SubjectType {
	case "", "public", "pairwise":
	default:
		return invalidMetadata("subject_type", "must be public or pairwise, not %q", m.SubjectType)
	}
	if m.DefaultMaxAge != nil && *m.DefaultMaxAge < 0 {
		return invalidMetadata("default_max_age", "must not be negative")
	}
	for _, s := range m.Scope {
		if !validScopeToken(s) {
			return invalidMetadata("scope", "%s is not a valid scope value", quote(s))
		}
	}
	for _, c := range m.Contacts {
		if strings.TrimSpace(c) == "" {
			return invalidMetadata("contacts", "must not hold empty values")
		}
	}
	return nil
}

// validScopeToken follows RFC 6749 §3.3: scope-token = 1*NQCHAR.
func validScopeToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return s != ""
}

// quote shows a client's value in an error description, shortened so that
// a huge value cannot bloat the answer.
func quote(s string) string {
	const maxShown = 100
	if len(s) > maxShown {
		s = s[:maxShown] + "…"
	}
	return fmt.Sprintf("%q", s)
}
