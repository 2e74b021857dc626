package oauth

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"time"
)

// Client is a registered client as the provider keeps it: the metadata the
// client registered (RFC 7591 §2) and what the provider issued to it
// (RFC 7591 §3.2.1, RFC 7592 §3).
//
// Times are whole seconds in UTC once stored; the zero time means absent
// (for SecretExpiresAt: the secret never expires, RFC 7591's 0).
type Client struct {
	ID         string
	IDIssuedAt time.Time

	// Secret is the stored form of the client secret, as the secret codec
	// made it (a hash, or a ciphertext for secrets that must be
	// recoverable); never compared as plain text by callers.
	Secret          string
	SecretExpiresAt time.Time

	// PreviousSecret is the stored form of the secret replaced by the last
	// rotation, still accepted until PreviousSecretExpiresAt.
	PreviousSecret          string
	PreviousSecretExpiresAt time.Time

	// RegistrationTokenHash is the hash of the RFC 7592 registration access
	// token. LegacyRegistrationToken is a token found in entries written by
	// another server, which kept it as given.
	RegistrationTokenHash   string
	LegacyRegistrationToken string
	RegistrationURI         string

	Metadata Metadata

	// Version is an opaque token the store changes on every write, for
	// compare-and-swap. It is empty for a client no Gatehouse has written
	// yet. Stores ignore the value callers put here.
	Version string
}

// Clone returns a deep copy of c: changing the copy's slices and maps
// leaves c alone. Stores hand out clones so that callers cannot change
// what others read.
func (c Client) Clone() Client {
	c.Metadata = c.Metadata.Clone()
	return c
}

// LangString is a human-readable metadata value in several languages
// (RFC 7591 §2.2): the key is a BCP 47 language tag in canonical case (see
// CanonicalLangTag), and "" holds the value without a tag. A nil and an
// empty map both mean the member is absent.
type LangString map[string]string

// Get returns the value for the tag, falling back to the untagged value.
func (s LangString) Get(tag string) string {
	if v, ok := s[tag]; ok {
		return v
	}
	return s[""]
}

// Metadata is the client metadata of RFC 7591 §2, OpenID Connect Dynamic
// Client Registration 1.0 §2, RFC 8705 §2.1.2 and §3.4, JARM §3 and RFC 9126
// §6, with JSON member names in the field comments.
//
// Absent and empty are kept apart where a specification gives them
// different meanings:
//   - a nil slice is an absent member, a non-nil empty slice is "[]"
//     (for Scope: the member "scope": "");
//   - a nil pointer (DefaultMaxAge) is absent;
//   - an empty string is absent: no member defines "" as a value;
//   - a false bool is absent: every boolean member defaults to false;
//   - a nil or empty LangString, Extra or JWKS is absent.
//
// Members Gatehouse does not know are kept verbatim in Extra. JSON null is
// read as an absent member, except in Extra, where it is kept.
type Metadata struct {
	RedirectURIs                []string        // redirect_uris
	TokenEndpointAuthMethod     string          // token_endpoint_auth_method
	TokenEndpointAuthSigningAlg string          // token_endpoint_auth_signing_alg
	GrantTypes                  []string        // grant_types
	ResponseTypes               []string        // response_types
	ClientName                  LangString      // client_name, client_name#<tag>
	ClientURI                   LangString      // client_uri
	LogoURI                     LangString      // logo_uri
	TOSURI                      LangString      // tos_uri
	PolicyURI                   LangString      // policy_uri
	Scope                       []string        // scope, space-separated in JSON (RFC 6749 §3.3)
	Contacts                    []string        // contacts
	JWKSURI                     string          // jwks_uri
	JWKS                        json.RawMessage // jwks, a JSON object kept as given
	SoftwareID                  string          // software_id
	SoftwareVersion             string          // software_version

	ApplicationType              string   // application_type
	SectorIdentifierURI          string   // sector_identifier_uri
	SubjectType                  string   // subject_type
	IDTokenSignedResponseAlg     string   // id_token_signed_response_alg
	IDTokenEncryptedResponseAlg  string   // id_token_encrypted_response_alg
	IDTokenEncryptedResponseEnc  string   // id_token_encrypted_response_enc
	UserinfoSignedResponseAlg    string   // userinfo_signed_response_alg
	UserinfoEncryptedResponseAlg string   // userinfo_encrypted_response_alg
	UserinfoEncryptedResponseEnc string   // userinfo_encrypted_response_enc
	RequestObjectSigningAlg      string   // request_object_signing_alg
	RequestObjectEncryptionAlg   string   // request_object_encryption_alg
	RequestObjectEncryptionEnc   string   // request_object_encryption_enc
	DefaultMaxAge                *int     // default_max_age, seconds
	RequireAuthTime              bool     // require_auth_time
	DefaultACRValues             []string // default_acr_values
	InitiateLoginURI             string   // initiate_login_uri
	RequestURIs                  []string // request_uris

	PostLogoutRedirectURIs            []string // post_logout_redirect_uris
	FrontchannelLogoutURI             string   // frontchannel_logout_uri
	FrontchannelLogoutSessionRequired bool     // frontchannel_logout_session_required
	BackchannelLogoutURI              string   // backchannel_logout_uri
	BackchannelLogoutSessionRequired  bool     // backchannel_logout_session_required

	TLSClientAuthSubjectDN                string // tls_client_auth_subject_dn
	TLSClientAuthSANDNS                   string // tls_client_auth_san_dns
	TLSClientAuthSANURI                   string // tls_client_auth_san_uri
	TLSClientAuthSANIP                    string // tls_client_auth_san_ip
	TLSClientAuthSANEmail                 string // tls_client_auth_san_email
	TLSClientCertificateBoundAccessTokens bool   // tls_client_certificate_bound_access_tokens

	AuthorizationSignedResponseAlg    string // authorization_signed_response_alg
	AuthorizationEncryptedResponseAlg string // authorization_encrypted_response_alg
	AuthorizationEncryptedResponseEnc string // authorization_encrypted_response_enc

	RequirePushedAuthorizationRequests bool // require_pushed_authorization_requests

	// Extra holds every other member, by name, as the JSON it was given.
	Extra map[string]json.RawMessage
}

// Clone returns a deep copy of m that keeps nil and empty apart.
func (m Metadata) Clone() Metadata {
	for _, p := range m.lists() {
		*p = slices.Clone(*p)
	}
	for _, p := range m.langStrings() {
		*p = maps.Clone(*p)
	}
	m.JWKS = bytes.Clone(m.JWKS)
	if m.DefaultMaxAge != nil {
		age := *m.DefaultMaxAge
		m.DefaultMaxAge = &age
	}
	if m.Extra != nil {
		extra := make(map[string]json.RawMessage, len(m.Extra))
		for k, v := range m.Extra {
			extra[k] = bytes.Clone(v)
		}
		m.Extra = extra
	}
	return m
}

// lists returns pointers to every []string field of m.
func (m *Metadata) lists() []*[]string {
	return []*[]string{&m.RedirectURIs, &m.GrantTypes, &m.ResponseTypes, &m.Scope, &m.Contacts,
		&m.DefaultACRValues, &m.RequestURIs, &m.PostLogoutRedirectURIs}
}

// langStrings returns pointers to every LangString field of m.
func (m *Metadata) langStrings() []*LangString {
	return []*LangString{&m.ClientName, &m.ClientURI, &m.LogoURI, &m.TOSURI, &m.PolicyURI}
}
