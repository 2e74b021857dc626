package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// metadata is the discovery document (OpenID Connect Discovery 1.0 §3,
// RFC 8414 §2). It lists only what this server really does: a member that
// is absent would mean its specified default, so members whose default
// promises more than is supported are written out explicitly.
type metadata struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint,omitempty"`
	TokenEndpoint         string `json:"token_endpoint,omitempty"`
	EndSessionEndpoint    string `json:"end_session_endpoint,omitempty"`
	UserinfoEndpoint      string `json:"userinfo_endpoint,omitempty"`
	IntrospectionEndpoint string `json:"introspection_endpoint,omitempty"`
	RevocationEndpoint    string `json:"revocation_endpoint,omitempty"`
	// RFC 8628 §4.
	DeviceAuthorizationEndpoint string `json:"device_authorization_endpoint,omitempty"`
	// RFC 8414 §2: introspection and revocation authenticate clients as the
	// token endpoint does; public clients cannot introspect.
	IntrospectionEndpointAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported,omitempty"`
	RevocationEndpointAuthMethodsSupported    []string `json:"revocation_endpoint_auth_methods_supported,omitempty"`
	JWKSURI                                   string   `json:"jwks_uri"`
	// Present when /clients is served (RFC 8414 §2, RFC 7591 §3).
	RegistrationEndpoint string `json:"registration_endpoint,omitempty"`
	// Required by both specifications; empty while no authorization
	// endpoint is served.
	ResponseTypesSupported []string `json:"response_types_supported"`
	ResponseModesSupported []string `json:"response_modes_supported,omitempty"`
	// RFC 8414 §2 defaults this to authorization_code and implicit.
	GrantTypesSupported   []string `json:"grant_types_supported"`
	SubjectTypesSupported []string `json:"subject_types_supported,omitempty"`
	// OpenID Connect Discovery §3 requires this; RS256 is always among them.
	IDTokenSigningAlgValuesSupported     []string `json:"id_token_signing_alg_values_supported,omitempty"`
	IDTokenEncryptionAlgValuesSupported  []string `json:"id_token_encryption_alg_values_supported,omitempty"`
	IDTokenEncryptionEncValuesSupported  []string `json:"id_token_encryption_enc_values_supported,omitempty"`
	UserinfoSigningAlgValuesSupported    []string `json:"userinfo_signing_alg_values_supported,omitempty"`
	UserinfoEncryptionAlgValuesSupported []string `json:"userinfo_encryption_alg_values_supported,omitempty"`
	UserinfoEncryptionEncValuesSupported []string `json:"userinfo_encryption_enc_values_supported,omitempty"`
	// JARM §4: the algorithms of JWT-secured authorization responses,
	// present when a JWT response mode is served.
	AuthorizationSigningAlgValuesSupported    []string `json:"authorization_signing_alg_values_supported,omitempty"`
	AuthorizationEncryptionAlgValuesSupported []string `json:"authorization_encryption_alg_values_supported,omitempty"`
	AuthorizationEncryptionEncValuesSupported []string `json:"authorization_encryption_enc_values_supported,omitempty"`
	// RFC 8414 §2 defaults the methods to client_secret_basic.
	TokenEndpointAuthMethodsSupported          []string `json:"token_endpoint_auth_methods_supported,omitempty"`
	TokenEndpointAuthSigningAlgValuesSupported []string `json:"token_endpoint_auth_signing_alg_values_supported,omitempty"`
	ClaimsSupported                            []string `json:"claims_supported,omitempty"`
	ACRValuesSupported                         []string `json:"acr_values_supported,omitempty"`
	// RFC 8705 §3.3.
	TLSClientCertificateBoundAccessTokens bool              `json:"tls_client_certificate_bound_access_tokens,omitempty"`
	MTLSEndpointAliases                   map[string]string `json:"mtls_endpoint_aliases,omitempty"`
	ScopesSupported                       []string          `json:"scopes_supported,omitempty"`
	CodeChallengeMethodsSupported         []string          `json:"code_challenge_methods_supported,omitempty"`
	PromptValuesSupported                 []string          `json:"prompt_values_supported,omitempty"`
	UILocalesSupported                    []string          `json:"ui_locales_supported,omitempty"`
	// OpenID Connect Discovery §3 defaults request_uri_parameter_supported
	// to true and the others to false; all are written out.
	ClaimsParameterSupported     bool `json:"claims_parameter_supported"`
	RequestParameterSupported    bool `json:"request_parameter_supported"`
	RequestURIParameterSupported bool `json:"request_uri_parameter_supported"`
	// RFC 9126 §5: pushed authorization requests.
	PushedAuthorizationRequestEndpoint string `json:"pushed_authorization_request_endpoint,omitempty"`
	RequirePushedAuthorizationRequests bool   `json:"require_pushed_authorization_requests,omitempty"`
	// RFC 9701 §7: JWT introspection responses.
	IntrospectionSigningAlgValuesSupported    []string `json:"introspection_signing_alg_values_supported,omitempty"`
	IntrospectionEncryptionAlgValuesSupported []string `json:"introspection_encryption_alg_values_supported,omitempty"`
	IntrospectionEncryptionEncValuesSupported []string `json:"introspection_encryption_enc_values_supported,omitempty"`
	// RFC 9207: every authorization response carries iss.
	AuthorizationResponseISSParameterSupported bool `json:"authorization_response_iss_parameter_supported,omitempty"`
	// OpenID Connect Back-Channel and Front-Channel Logout 1.0 §2.1: both
	// kinds, with sid, when logout is configured.
	BackchannelLogoutSupported         bool `json:"backchannel_logout_supported,omitempty"`
	BackchannelLogoutSessionSupported  bool `json:"backchannel_logout_session_supported,omitempty"`
	FrontchannelLogoutSupported        bool `json:"frontchannel_logout_supported,omitempty"`
	FrontchannelLogoutSessionSupported bool `json:"frontchannel_logout_session_supported,omitempty"`

	// RFC 9449 §5.1, present when DPoP is on.
	DPoPSigningAlgValuesSupported []string `json:"dpop_signing_alg_values_supported,omitempty"`
}

func (s *Server) discoveryDocument() ([]byte, error) {
	doc := metadata{
		Issuer:                 s.issuer.String(),
		JWKSURI:                s.endpoint("/jwks.json"),
		ResponseTypesSupported: []string{},
		GrantTypesSupported:    []string{},
	}
	if s.clients != nil {
		doc.RegistrationEndpoint = s.endpoint("/clients")
	}
	if s.signIn != nil {
		doc.AuthorizationEndpoint = s.endpoint("/authorize")
		doc.ResponseTypesSupported = s.responseTypes()
		doc.ResponseModesSupported = s.responseModes
		doc.SubjectTypesSupported = []string{"public"}
		if s.minter != nil && s.minter.PairwiseSupported() {
			doc.SubjectTypesSupported = append(doc.SubjectTypesSupported, "pairwise")
		}
		doc.ScopesSupported = []string{"openid", "profile", "email", "groups"}
		doc.CodeChallengeMethodsSupported = []string{"S256"}
		doc.PromptValuesSupported = []string{"none", "login", "consent", "select_account"}
		doc.UILocalesSupported = templates.Languages()
		doc.RequestParameterSupported = true
		doc.RequestURIParameterSupported = true
		doc.AuthorizationResponseISSParameterSupported = true
		if slices.ContainsFunc(s.responseModes, authorize.IsJWTMode) {
			doc.AuthorizationSigningAlgValuesSupported = s.jarmAlgs.signing
			doc.AuthorizationEncryptionAlgValuesSupported = s.jarmAlgs.encryption
			doc.AuthorizationEncryptionEncValuesSupported = s.jarmAlgs.encodings
		}
	}
	if s.token != nil {
		doc.TokenEndpoint = s.endpoint("/token")
		doc.UserinfoEndpoint = s.endpoint("/userinfo")
		doc.IntrospectionEndpoint = s.endpoint("/token/introspect")
		doc.RevocationEndpoint = s.endpoint("/token/revoke")
		doc.RevocationEndpointAuthMethodsSupported = s.tokenAuth.Methods()
		doc.IntrospectionEndpointAuthMethodsSupported = slices.DeleteFunc(s.tokenAuth.Methods(),
			func(m string) bool { return m == "none" })
		if s.signIn != nil {
			doc.EndSessionEndpoint = s.endpoint("/logout")
		}
		if s.logout.notifier != nil {
			doc.BackchannelLogoutSupported, doc.BackchannelLogoutSessionSupported = true, true
			doc.FrontchannelLogoutSupported, doc.FrontchannelLogoutSessionSupported = true, true
		}
		doc.GrantTypesSupported = s.token.GrantTypes()
		if s.device != nil {
			doc.DeviceAuthorizationEndpoint = s.endpoint("/device_authorization")
		}
		doc.IDTokenSigningAlgValuesSupported = s.minter.SigningAlgs()
		doc.IDTokenEncryptionAlgValuesSupported = tokens.EncryptionAlgs()
		doc.IDTokenEncryptionEncValuesSupported = tokens.EncryptionEncs()
		doc.UserinfoSigningAlgValuesSupported = s.minter.SigningAlgs()
		doc.UserinfoEncryptionAlgValuesSupported = tokens.EncryptionAlgs()
		doc.UserinfoEncryptionEncValuesSupported = tokens.EncryptionEncs()
		doc.TokenEndpointAuthMethodsSupported = s.tokenAuth.Methods()
		doc.TLSClientCertificateBoundAccessTokens = s.certificates
		if s.dpop != nil {
			doc.DPoPSigningAlgValuesSupported = s.dpop.Algs()
		}
		if base := strings.TrimSuffix(s.mtlsBase, "/"); base != "" {
			doc.MTLSEndpointAliases = map[string]string{
				"token_endpoint": base + "/token", "userinfo_endpoint": base + "/userinfo",
				"introspection_endpoint": base + "/token/introspect", "revocation_endpoint": base + "/token/revoke",
			}
		}
		doc.TokenEndpointAuthSigningAlgValuesSupported = union(
			s.tokenAuth.SigningAlgs("client_secret_jwt"), s.tokenAuth.SigningAlgs("private_key_jwt"))
		doc.ClaimsSupported = union([]string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "sid"},
			s.claims)
	}
	s.pushedMetadata(&doc)
	doc.ACRValuesSupported = s.acrValues
	b, err := marshalJSON(doc)
	if err != nil {
		return nil, fmt.Errorf("provider: discovery document: %w", err)
	}
	return b, nil
}

// union is a followed by the values of b not in a.
func union(a, b []string) []string {
	out := append([]string{}, a...)
	for _, v := range b {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// serveDiscovery serves the document computed at start. It may be cached:
// it changes only when the configuration does, with a restart.
func (s *Server) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	writeStaticJSON(w, s.discovery, "public, max-age=3600")
}

// serveJWKS serves the public signing keys of the set in force (see
// jwks.go for the cache lifetime).
func (s *Server) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	writeStaticJSON(w, s.keys.Current().PublicJSON(), s.jwksCache)
}

func writeStaticJSON(w http.ResponseWriter, body []byte, cacheControl string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", cacheControl)
	_, _ = w.Write(body)
}

func marshalJSON(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
