package registration

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// testPolicy is the development configuration's, with the certificate
// methods added.
var testPolicy = Policy{
	AuthMethods: []string{"client_secret_basic", "client_secret_post", "client_secret_jwt",
		"private_key_jwt", "none", "tls_client_auth", "self_signed_tls_client_auth"},
	AuthzJWSAlgs: []string{"RS256", "PS256", "ES256", "HS256"},
	AuthzJWEAlgs: []string{"RSA-OAEP-256", "ECDH-ES", "dir"},
	AuthzJWEEncs: []string{"A128CBC-HS256", "A256GCM"},
}

// publicJWKS is one public EC key.
const publicJWKS = `{"keys":[{"kty":"EC","crv":"P-256","kid":"k1",` +
	`"x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`

// privateJWKS is the same key with its private part.
const privateJWKS = `{"keys":[{"kty":"EC","crv":"P-256","kid":"k1",` +
	`"x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",` +
	`"d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}]}`

func webClient() oauth.Metadata {
	return oauth.Metadata{RedirectURIs: []string{"https://rp.example.com/cb"}}
}

func TestValidateRules(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(m *oauth.Metadata)
		open   bool
		code   string // "" for valid
		member string // the member the description must name
	}{
		{name: "minimal web client", edit: func(m *oauth.Metadata) {}},

		// redirect_uris
		{name: "redirect URIs missing for the code grant", edit: func(m *oauth.Metadata) { m.RedirectURIs = nil },
			code: "invalid_redirect_uri", member: "redirect_uris"},
		{name: "relative redirect URI", edit: func(m *oauth.Metadata) { m.RedirectURIs = []string{"/cb"} },
			code: "invalid_redirect_uri", member: "redirect_uris"},
		{name: "unparsable redirect URI", edit: func(m *oauth.Metadata) { m.RedirectURIs = []string{"https://rp.example.com/%zz"} },
			code: "invalid_redirect_uri", member: "redirect_uris"},
		{name: "fragment", edit: func(m *oauth.Metadata) { m.RedirectURIs = []string{"https://rp.example.com/cb#x"} },
			code: "invalid_redirect_uri", member: "redirect_uris"},
		{name: "empty fragment", edit: func(m *oauth.Metadata) { m.RedirectURIs = []string{"https://rp.example.com/cb#"} },
			code: "invalid_redirect_uri", member: "redirect_uris"},
		{name: "javascript scheme", edit: func(m *oauth.Metadata) { m.RedirectURIs = []string{"javascript:alert(1)"} },
			code: "invalid_redirect_uri", member: "redirect_uris"},
		{name: "data scheme even for native", edit: func(m *oauth.Metadata) {
			m.ApplicationType = "native"
			m.RedirectURIs = []string{"data:text/html,hi"}
		}, code: "invalid_redirect_uri", member: "redirect_uris"},
		{name: "vbscript scheme in capitals", edit: func(m *oauth.Metadata) { m.RedirectURIs = []string{"VBScript:msgbox"} },
			code: "invalid_redirect_uri", member: "redirect_uris"},
		{name: "http on a public host", edit: func(m *oauth.Metadata) { m.RedirectURIs = []string{"http://rp.example.com/cb"} },
			code: "invalid_redirect_uri", member: "redirect_uris"},
		{name: "http on loopback", edit: func(m *oauth.Metadata) {
			m.RedirectURIs = []string{"http://127.0.0.1:8080/demo/callback", "http://[::1]/cb", "http://localhost:3000/cb"}
		}},
		{name: "https without host", edit: func(m *oauth.Metadata) { m.RedirectURIs = []string{"https:///cb"} },
			code: "invalid_redirect_uri", member: "redirect_uris"},
		{name: "custom scheme for a web client", edit: func(m *oauth.Metadata) { m.RedirectURIs = []string{"com.example.app:/cb"} },
			code: "invalid_redirect_uri", member: "redirect_uris"},
		{name: "custom scheme for a native client", edit: func(m *oauth.Metadata) {
			m.ApplicationType = "native"
			m.RedirectURIs = []string{"com.example.app:/cb", "http://127.0.0.1/cb"}
		}},
		{name: "native http on a public host", edit: func(m *oauth.Metadata) {
			m.ApplicationType = "native"
			m.RedirectURIs = []string{"http://rp.example.com/cb"}
		}, code: "invalid_redirect_uri", member: "redirect_uris"},
		{name: "post-logout redirect with fragment", edit: func(m *oauth.Metadata) {
			m.PostLogoutRedirectURIs = []string{"https://rp.example.com/bye#x"}
		}, code: "invalid_client_metadata", member: "post_logout_redirect_uris"},
		{name: "no redirect URIs for client credentials", edit: func(m *oauth.Metadata) {
			m.RedirectURIs = nil
			m.GrantTypes = []string{"client_credentials"}
		}},

		// application_type
		{name: "unknown application type", edit: func(m *oauth.Metadata) { m.ApplicationType = "desktop" },
			code: "invalid_client_metadata", member: "application_type"},

		// grant_types and response_types
		{name: "empty grant types", edit: func(m *oauth.Metadata) { m.GrantTypes = []string{} },
			code: "invalid_client_metadata", member: "grant_types"},
		{name: "unknown grant type", edit: func(m *oauth.Metadata) { m.GrantTypes = []string{"magic"} },
			code: "invalid_client_metadata", member: "grant_types"},
		{name: "code response without the code grant", edit: func(m *oauth.Metadata) {
			m.GrantTypes = []string{"implicit"}
			m.ResponseTypes = []string{"code", "id_token"}
		}, code: "invalid_client_metadata", member: "response_types"},
		{name: "id_token response without implicit", edit: func(m *oauth.Metadata) {
			m.GrantTypes = []string{"authorization_code"}
			m.ResponseTypes = []string{"code", "id_token"}
		}, code: "invalid_client_metadata", member: "response_types"},
		{name: "code grant without a code response", edit: func(m *oauth.Metadata) {
			m.GrantTypes = []string{"authorization_code", "implicit"}
			m.ResponseTypes = []string{"id_token"}
		}, code: "invalid_client_metadata", member: "grant_types"},
		{name: "implicit grant without its response types", edit: func(m *oauth.Metadata) {
			m.GrantTypes = []string{"implicit"}
		}, code: "invalid_client_metadata", member: "response_types"},
		{name: "implicit grant with a code response only", edit: func(m *oauth.Metadata) {
			m.GrantTypes = []string{"authorization_code", "implicit"}
			m.ResponseTypes = []string{"code"}
		}, code: "invalid_client_metadata", member: "grant_types"},
		{name: "hybrid", edit: func(m *oauth.Metadata) {
			m.GrantTypes = []string{"authorization_code", "implicit"}
			m.ResponseTypes = []string{"code id_token", "code"}
		}},
		{name: "unknown response type", edit: func(m *oauth.Metadata) { m.ResponseTypes = []string{"code magic"} },
			code: "invalid_client_metadata", member: "response_types"},
		{name: "none combined", edit: func(m *oauth.Metadata) { m.ResponseTypes = []string{"none code"} },
			code: "invalid_client_metadata", member: "response_types"},
		{name: "repeated response value", edit: func(m *oauth.Metadata) { m.ResponseTypes = []string{"code code"} },
			code: "invalid_client_metadata", member: "response_types"},
		{name: "open registration refuses client credentials", open: true, edit: func(m *oauth.Metadata) {
			m.GrantTypes = []string{"authorization_code", "client_credentials"}
		}, code: "invalid_client_metadata", member: "grant_types"},
		{name: "open registration refuses implicit", open: true, edit: func(m *oauth.Metadata) {
			m.GrantTypes = []string{"implicit"}
			m.ResponseTypes = []string{"id_token"}
		}, code: "invalid_client_metadata", member: "grant_types"},
		{name: "open registration allows code and refresh", open: true, edit: func(m *oauth.Metadata) {
			m.GrantTypes = []string{"authorization_code", "refresh_token"}
		}},

		// other URIs
		{name: "logo over ftp", edit: func(m *oauth.Metadata) { m.LogoURI = oauth.LangString{"": "ftp://rp.example.com/logo"} },
			code: "invalid_client_metadata", member: "logo_uri"},
		{name: "tagged policy URI relative", edit: func(m *oauth.Metadata) { m.PolicyURI = oauth.LangString{"de": "/datenschutz"} },
			code: "invalid_client_metadata", member: "policy_uri"},
		{name: "jwks_uri over http", edit: func(m *oauth.Metadata) { m.JWKSURI = "http://rp.example.com/jwks" },
			code: "invalid_client_metadata", member: "jwks_uri"},
		{name: "sector identifier over http", edit: func(m *oauth.Metadata) { m.SectorIdentifierURI = "http://rp.example.com/s" },
			code: "invalid_client_metadata", member: "sector_identifier_uri"},
		{name: "initiate login over http", edit: func(m *oauth.Metadata) { m.InitiateLoginURI = "http://rp.example.com/login" },
			code: "invalid_client_metadata", member: "initiate_login_uri"},
		{name: "request URI over http", edit: func(m *oauth.Metadata) { m.RequestURIs = []string{"http://rp.example.com/r"} },
			code: "invalid_client_metadata", member: "request_uris"},
		{name: "back-channel logout over http", edit: func(m *oauth.Metadata) { m.BackchannelLogoutURI = "http://rp.example.com/bc" },
			code: "invalid_client_metadata", member: "backchannel_logout_uri"},
		{name: "back-channel logout with fragment", edit: func(m *oauth.Metadata) { m.BackchannelLogoutURI = "https://rp.example.com/bc#x" },
			code: "invalid_client_metadata", member: "backchannel_logout_uri"},
		{name: "front-channel logout with fragment", edit: func(m *oauth.Metadata) { m.FrontchannelLogoutURI = "https://rp.example.com/fc#x" },
			code: "invalid_client_metadata", member: "frontchannel_logout_uri"},
		{name: "front-channel logout relative", edit: func(m *oauth.Metadata) { m.FrontchannelLogoutURI = "/fc" },
			code: "invalid_client_metadata", member: "frontchannel_logout_uri"},

		// keys
		{name: "jwks and jwks_uri", edit: func(m *oauth.Metadata) {
			m.JWKS = json.RawMessage(publicJWKS)
			m.JWKSURI = "https://rp.example.com/jwks"
		}, code: "invalid_client_metadata", member: "jwks"},
		{name: "private key in jwks", edit: func(m *oauth.Metadata) { m.JWKS = json.RawMessage(privateJWKS) },
			code: "invalid_client_metadata", member: "jwks"},
		{name: "unreadable jwks", edit: func(m *oauth.Metadata) { m.JWKS = json.RawMessage(`{"keys":[{"kty":"nope"}]}`) },
			code: "invalid_client_metadata", member: "jwks"},
		{name: "empty jwks", edit: func(m *oauth.Metadata) { m.JWKS = json.RawMessage(`{"keys":[]}`) },
			code: "invalid_client_metadata", member: "jwks"},

		// token_endpoint_auth_method
		{name: "auth method not enabled", edit: func(m *oauth.Metadata) { m.TokenEndpointAuthMethod = "magic" },
			code: "invalid_client_metadata", member: "token_endpoint_auth_method"},
		{name: "private_key_jwt without keys", edit: func(m *oauth.Metadata) { m.TokenEndpointAuthMethod = "private_key_jwt" },
			code: "invalid_client_metadata", member: "token_endpoint_auth_method"},
		{name: "private_key_jwt with jwks", edit: func(m *oauth.Metadata) {
			m.TokenEndpointAuthMethod = "private_key_jwt"
			m.JWKS = json.RawMessage(publicJWKS)
			m.TokenEndpointAuthSigningAlg = "ES256"
		}},
		{name: "self-signed certificates without keys", edit: func(m *oauth.Metadata) {
			m.TokenEndpointAuthMethod = "self_signed_tls_client_auth"
		}, code: "invalid_client_metadata", member: "token_endpoint_auth_method"},
		{name: "HS alg with private_key_jwt", edit: func(m *oauth.Metadata) {
			m.TokenEndpointAuthMethod = "private_key_jwt"
			m.JWKSURI = "https://rp.example.com/jwks"
			m.TokenEndpointAuthSigningAlg = "HS256"
		}, code: "invalid_client_metadata", member: "token_endpoint_auth_signing_alg"},
		{name: "RS alg with client_secret_jwt", edit: func(m *oauth.Metadata) {
			m.TokenEndpointAuthMethod = "client_secret_jwt"
			m.TokenEndpointAuthSigningAlg = "RS256"
		}, code: "invalid_client_metadata", member: "token_endpoint_auth_signing_alg"},
		{name: "signing alg with basic", edit: func(m *oauth.Metadata) { m.TokenEndpointAuthSigningAlg = "HS256" },
			code: "invalid_client_metadata", member: "token_endpoint_auth_signing_alg"},
		{name: "signing alg none", edit: func(m *oauth.Metadata) {
			m.TokenEndpointAuthMethod = "client_secret_jwt"
			m.TokenEndpointAuthSigningAlg = "none"
		}, code: "invalid_client_metadata", member: "token_endpoint_auth_signing_alg"},

		// tls_client_auth
		{name: "tls_client_auth without a subject", edit: func(m *oauth.Metadata) { m.TokenEndpointAuthMethod = "tls_client_auth" },
			code: "invalid_client_metadata", member: "token_endpoint_auth_method"},
		{name: "tls_client_auth with two subjects", edit: func(m *oauth.Metadata) {
			m.TokenEndpointAuthMethod = "tls_client_auth"
			m.TLSClientAuthSubjectDN = "CN=rp,O=Example"
			m.TLSClientAuthSANDNS = "rp.example.com"
		}, code: "invalid_client_metadata", member: "tls_client_auth_san_dns"},
		{name: "tls_client_auth with a subject DN", edit: func(m *oauth.Metadata) {
			m.TokenEndpointAuthMethod = "tls_client_auth"
			m.TLSClientAuthSubjectDN = "CN=rp,O=Example"
		}},
		{name: "bad SAN IP", edit: func(m *oauth.Metadata) {
			m.TokenEndpointAuthMethod = "tls_client_auth"
			m.TLSClientAuthSANIP = "300.1.1.1"
		}, code: "invalid_client_metadata", member: "tls_client_auth_san_ip"},
		{name: "bad SAN DNS", edit: func(m *oauth.Metadata) { m.TLSClientAuthSANDNS = "rp example.com" },
			code: "invalid_client_metadata", member: "tls_client_auth_san_dns"},
		{name: "bad SAN URI", edit: func(m *oauth.Metadata) { m.TLSClientAuthSANURI = "rp" },
			code: "invalid_client_metadata", member: "tls_client_auth_san_uri"},
		{name: "bad SAN email", edit: func(m *oauth.Metadata) { m.TLSClientAuthSANEmail = "rp" },
			code: "invalid_client_metadata", member: "tls_client_auth_san_email"},
		{name: "bad subject DN", edit: func(m *oauth.Metadata) { m.TLSClientAuthSubjectDN = "rp" },
			code: "invalid_client_metadata", member: "tls_client_auth_subject_dn"},
		{name: "subject DN with an unknown type name", edit: func(m *oauth.Metadata) { m.TLSClientAuthSubjectDN = "CN=a,Bogus=b" },
			code: "invalid_client_metadata", member: "tls_client_auth_subject_dn"},
		{name: "subject DN with a dangling escape", edit: func(m *oauth.Metadata) { m.TLSClientAuthSubjectDN = `CN=a\` },
			code: "invalid_client_metadata", member: "tls_client_auth_subject_dn"},

		// algorithms
		{name: "unsupported ID token alg", edit: func(m *oauth.Metadata) { m.IDTokenSignedResponseAlg = "none" },
			code: "invalid_client_metadata", member: "id_token_signed_response_alg"},
		{name: "unsupported userinfo alg", edit: func(m *oauth.Metadata) { m.UserinfoSignedResponseAlg = "ES256K" },
			code: "invalid_client_metadata", member: "userinfo_signed_response_alg"},
		{name: "unsupported request object alg", edit: func(m *oauth.Metadata) { m.RequestObjectSigningAlg = "RS1" },
			code: "invalid_client_metadata", member: "request_object_signing_alg"},
		{name: "JARM alg not enabled", edit: func(m *oauth.Metadata) { m.AuthorizationSignedResponseAlg = "ES512" },
			code: "invalid_client_metadata", member: "authorization_signed_response_alg"},
		{name: "JARM encryption alg not enabled", edit: func(m *oauth.Metadata) {
			m.JWKSURI = "https://rp.example.com/jwks"
			m.AuthorizationEncryptedResponseAlg = "RSA1_5"
		}, code: "invalid_client_metadata", member: "authorization_encrypted_response_alg"},
		{name: "JARM encryption method not enabled", edit: func(m *oauth.Metadata) {
			m.JWKSURI = "https://rp.example.com/jwks"
			m.AuthorizationEncryptedResponseAlg = "RSA-OAEP-256"
			m.AuthorizationEncryptedResponseEnc = "A192GCM"
		}, code: "invalid_client_metadata", member: "authorization_encrypted_response_enc"},
		{name: "encryption method without algorithm", edit: func(m *oauth.Metadata) { m.IDTokenEncryptedResponseEnc = "A256GCM" },
			code: "invalid_client_metadata", member: "id_token_encrypted_response_enc"},
		{name: "unknown encryption algorithm", edit: func(m *oauth.Metadata) { m.UserinfoEncryptedResponseAlg = "A128KW" },
			code: "invalid_client_metadata", member: "userinfo_encrypted_response_alg"},
		{name: "unknown encryption method", edit: func(m *oauth.Metadata) {
			m.RequestObjectEncryptionAlg = "RSA-OAEP-256"
			m.RequestObjectEncryptionEnc = "A512GCM"
		}, code: "invalid_client_metadata", member: "request_object_encryption_enc"},
		{name: "encryption to the client without its keys", edit: func(m *oauth.Metadata) {
			m.IDTokenEncryptedResponseAlg = "RSA-OAEP-256"
		}, code: "invalid_client_metadata", member: "id_token_encrypted_response_alg"},
		{name: "dir needs no keys", edit: func(m *oauth.Metadata) { m.IDTokenEncryptedResponseAlg = "dir" }},
		{name: "public client with an HS ID token", edit: func(m *oauth.Metadata) {
			m.TokenEndpointAuthMethod = "none"
			m.IDTokenSignedResponseAlg = "HS256"
		}, code: "invalid_client_metadata", member: "id_token_signed_response_alg"},
		{name: "public client with dir", edit: func(m *oauth.Metadata) {
			m.TokenEndpointAuthMethod = "none"
			m.UserinfoEncryptedResponseAlg = "dir"
		}, code: "invalid_client_metadata", member: "userinfo_encrypted_response_alg"},

		// the rest
		{name: "unknown subject type", edit: func(m *oauth.Metadata) { m.SubjectType = "secret" },
			code: "invalid_client_metadata", member: "subject_type"},
		{name: "negative max age", edit: func(m *oauth.Metadata) { age := -1; m.DefaultMaxAge = &age },
			code: "invalid_client_metadata", member: "default_max_age"},
		{name: "scope with a quote", edit: func(m *oauth.Metadata) { m.Scope = []string{`open"id`} },
			code: "invalid_client_metadata", member: "scope"},
		{name: "empty contact", edit: func(m *oauth.Metadata) { m.Contacts = []string{" "} },
			code: "invalid_client_metadata", member: "contacts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := webClient()
			tc.edit(&m)
			err := validate(&m, testPolicy, tc.open)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, want %s", tc.code)
			}
			if err.Code != tc.code || err.Status != 400 {
				t.Errorf("error = %s (%d), want %s (400)", err.Code, err.Status, tc.code)
			}
			if !strings.HasPrefix(err.Description, tc.member+": ") {
				t.Errorf("description %q does not name %s", err.Description, tc.member)
			}
		})
	}
}

func TestValidateDefaults(t *testing.T) {
	tests := []struct {
		name                       string
		edit                       func(m *oauth.Metadata)
		wantGrants, wantResponses  []string
		wantMethod, wantIDTokenEnc string
	}{
		{name: "RFC 7591 defaults", edit: func(m *oauth.Metadata) {},
			wantGrants: []string{"authorization_code"}, wantResponses: []string{"code"}, wantMethod: "client_secret_basic"},
		{name: "grants follow the response types", edit: func(m *oauth.Metadata) { m.ResponseTypes = []string{"id_token token"} },
			wantGrants: []string{"implicit"}, wantResponses: []string{"id_token token"}, wantMethod: "client_secret_basic"},
		{name: "no response types without redirecting grants", edit: func(m *oauth.Metadata) {
			m.GrantTypes = []string{"client_credentials"}
		}, wantGrants: []string{"client_credentials"}, wantResponses: []string{}, wantMethod: "client_secret_basic"},
		{name: "encryption method implied", edit: func(m *oauth.Metadata) {
			m.TokenEndpointAuthMethod = "client_secret_post"
			m.IDTokenEncryptedResponseAlg = "dir"
		}, wantGrants: []string{"authorization_code"}, wantResponses: []string{"code"}, wantMethod: "client_secret_post",
			wantIDTokenEnc: "A128CBC-HS256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := webClient()
			tc.edit(&m)
			if err := validate(&m, testPolicy, false); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(m.GrantTypes, tc.wantGrants) || m.ResponseTypes == nil || !slices.Equal(m.ResponseTypes, tc.wantResponses) {
				t.Errorf("grant_types %q response_types %q, want %q %q", m.GrantTypes, m.ResponseTypes, tc.wantGrants, tc.wantResponses)
			}
			if m.TokenEndpointAuthMethod != tc.wantMethod {
				t.Errorf("token_endpoint_auth_method = %q, want %q", m.TokenEndpointAuthMethod, tc.wantMethod)
			}
			if m.IDTokenEncryptedResponseEnc != tc.wantIDTokenEnc {
				t.Errorf("id_token_encrypted_response_enc = %q, want %q", m.IDTokenEncryptedResponseEnc, tc.wantIDTokenEnc)
			}
		})
	}
}

// FuzzRedirectProblem: whatever the input, an accepted redirect URI is an
// absolute URI without a fragment and with a safe scheme.
func FuzzRedirectProblem(f *testing.F) {
	for _, s := range []string{"https://rp.example.com/cb", "http://127.0.0.1/cb", "com.example:/cb",
		"javascript:x", "https://a#b", "http://[::1]:80/", "HTTP://LOCALHOST/", "data:,x"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, native bool) {
		if redirectProblem(raw, native) != "" {
			return
		}
		lower := strings.ToLower(raw)
		if strings.Contains(raw, "#") || !strings.Contains(raw, ":") {
			t.Fatalf("accepted %q", raw)
		}
		for _, bad := range []string{"javascript:", "data:", "vbscript:"} {
			if strings.HasPrefix(lower, bad) {
				t.Fatalf("accepted %q", raw)
			}
		}
		if !native && !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") {
			t.Fatalf("accepted %q for a web client", raw)
		}
	})
}

// TestEdDSAAccepted: EdDSA (RFC 8037), which the FAPI 2.0 profiles allow
// next to PS256 and ES256, is accepted for every member that names a
// signing algorithm: the minter signs with it, the client authenticator
// and the request object parser verify it; JARM takes it when enabled.
func TestEdDSAAccepted(t *testing.T) {
	p := testPolicy
	p.AuthzJWSAlgs = append([]string{"EdDSA"}, testPolicy.AuthzJWSAlgs...)
	for _, tc := range []struct {
		name string
		edit func(m *oauth.Metadata)
	}{
		{"id_token_signed_response_alg", func(m *oauth.Metadata) { m.IDTokenSignedResponseAlg = "EdDSA" }},
		{"userinfo_signed_response_alg", func(m *oauth.Metadata) { m.UserinfoSignedResponseAlg = "EdDSA" }},
		{"request_object_signing_alg", func(m *oauth.Metadata) { m.RequestObjectSigningAlg = "EdDSA" }},
		{"authorization_signed_response_alg", func(m *oauth.Metadata) { m.AuthorizationSignedResponseAlg = "EdDSA" }},
		{"token_endpoint_auth_signing_alg", func(m *oauth.Metadata) {
			m.TokenEndpointAuthMethod = "private_key_jwt"
			m.JWKSURI = "https://rp.example.com/jwks"
			m.TokenEndpointAuthSigningAlg = "EdDSA"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := webClient()
			tc.edit(&m)
			if err := validate(&m, p, false); err != nil {
				t.Errorf("EdDSA refused: %v", err)
			}
		})
	}
}
