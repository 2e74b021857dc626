package oauth

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// fullMetadata sets every field of Metadata; TestFullMetadataIsFull keeps
// it that way when fields are added.
func fullMetadata() Metadata {
	age := 3600
	return Metadata{
		RedirectURIs:                []string{"https://rp.example/cb", "https://rp.example/cb2?a=1&b=2"},
		TokenEndpointAuthMethod:     "private_key_jwt",
		TokenEndpointAuthSigningAlg: "PS256",
		GrantTypes:                  []string{"authorization_code", "refresh_token"},
		ResponseTypes:               []string{"code"},
		ClientName:                  LangString{"": "Example", "de": "Beispiel", "fr-CA": "Exemple"},
		ClientURI:                   LangString{"": "https://rp.example/"},
		LogoURI:                     LangString{"": "https://rp.example/logo.png", "de": "https://rp.example/logo-de.png"},
		TOSURI:                      LangString{"en": "https://rp.example/tos"},
		PolicyURI:                   LangString{"": "https://rp.example/policy"},
		Scope:                       []string{"openid", "email"},
		Contacts:                    []string{"ops@rp.example"},
		JWKSURI:                     "https://rp.example/jwks.json",
		JWKS:                        json.RawMessage(`{"keys": [{"kty": "EC", "crv": "P-256"}]}`),
		SoftwareID:                  "4NRB1-0XZABZI9E6-5SM3R",
		SoftwareVersion:             "2.1",

		ApplicationType:              "web",
		SectorIdentifierURI:          "https://rp.example/sector.json",
		SubjectType:                  "pairwise",
		IDTokenSignedResponseAlg:     "ES256",
		IDTokenEncryptedResponseAlg:  "RSA-OAEP-256",
		IDTokenEncryptedResponseEnc:  "A128CBC-HS256",
		UserinfoSignedResponseAlg:    "RS256",
		UserinfoEncryptedResponseAlg: "ECDH-ES",
		UserinfoEncryptedResponseEnc: "A256GCM",
		RequestObjectSigningAlg:      "PS256",
		RequestObjectEncryptionAlg:   "RSA-OAEP",
		RequestObjectEncryptionEnc:   "A192GCM",
		DefaultMaxAge:                &age,
		RequireAuthTime:              true,
		DefaultACRValues:             []string{"urn:mace:incommon:iap:silver"},
		InitiateLoginURI:             "https://rp.example/login",
		RequestURIs:                  []string{"https://rp.example/req#abc"},

		PostLogoutRedirectURIs:            []string{"https://rp.example/bye"},
		FrontchannelLogoutURI:             "https://rp.example/fc",
		FrontchannelLogoutSessionRequired: true,
		BackchannelLogoutURI:              "https://rp.example/bc",
		BackchannelLogoutSessionRequired:  true,

		TLSClientAuthSubjectDN:                "CN=rp,O=Example",
		TLSClientAuthSANDNS:                   "rp.example",
		TLSClientAuthSANURI:                   "https://rp.example",
		TLSClientAuthSANIP:                    "192.0.2.7",
		TLSClientAuthSANEmail:                 "rp@rp.example",
		TLSClientCertificateBoundAccessTokens: true,

		AuthorizationSignedResponseAlg:    "ES256",
		AuthorizationEncryptedResponseAlg: "ECDH-ES+A128KW",
		AuthorizationEncryptedResponseEnc: "A128GCM",

		RequirePushedAuthorizationRequests: true,

		Extra: map[string]json.RawMessage{
			"custom":       json.RawMessage(`{"nested": {"list": [1, 2.5, "x"], "null": null}}`),
			"flag#private": json.RawMessage(`true`),
		},
	}
}

func TestFullMetadataIsFull(t *testing.T) {
	v := reflect.ValueOf(fullMetadata())
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Errorf("fullMetadata leaves %s unset", v.Type().Field(i).Name)
		}
	}
}

func TestCloneIsDeep(t *testing.T) {
	orig := Client{ID: "c", IDIssuedAt: time.Unix(1, 0), Metadata: fullMetadata()}
	clone := orig.Clone()
	if !reflect.DeepEqual(orig, clone) {
		t.Fatal("clone differs from the original")
	}
	m := &clone.Metadata
	for _, p := range m.lists() {
		(*p)[0] = "changed"
	}
	for _, p := range m.langStrings() {
		for k := range *p {
			(*p)[k] = "changed"
		}
	}
	m.JWKS[0] = ' '
	*m.DefaultMaxAge = 1
	m.Extra["custom"][0] = ' '
	m.Extra["added"] = json.RawMessage(`1`)
	if !reflect.DeepEqual(orig, Client{ID: "c", IDIssuedAt: time.Unix(1, 0), Metadata: fullMetadata()}) {
		t.Error("changing the clone changed the original")
	}
}

func TestCloneKeepsNilAndEmptyApart(t *testing.T) {
	m := Metadata{RedirectURIs: []string{}, JWKS: nil}
	c := m.Clone()
	if c.RedirectURIs == nil || c.GrantTypes != nil || c.JWKS != nil || c.Extra != nil {
		t.Errorf("clone = %+v", c)
	}
}

func TestLangStringGet(t *testing.T) {
	s := LangString{"": "Example", "de": "Beispiel"}
	for _, tc := range []struct{ tag, want string }{
		{"de", "Beispiel"},
		{"fr", "Example"},
		{"", "Example"},
	} {
		if got := s.Get(tc.tag); got != tc.want {
			t.Errorf("Get(%q) = %q, want %q", tc.tag, got, tc.want)
		}
	}
}

func TestCanonicalLangTag(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{name: "language", in: "DE", want: "de", ok: true},
		{name: "region", in: "en-us", want: "en-US", ok: true},
		{name: "script and region", in: "SR-latn-rs", want: "sr-Latn-RS", ok: true},
		{name: "numeric region", in: "es-419", want: "es-419", ok: true},
		{name: "private use keeps lower case", in: "en-X-AB-abcd", want: "en-x-ab-abcd", ok: true},
		{name: "private use alone", in: "x-Klingon", want: "x-klingon", ok: true},
		{name: "empty", in: "", ok: false},
		{name: "empty subtag", in: "en--us", ok: false},
		{name: "underscore", in: "en_US", ok: false},
		{name: "too long subtag", in: "en-abcdefghi", ok: false},
		{name: "digit first", in: "1en", ok: false},
		{name: "non-ASCII", in: "dé", ok: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := CanonicalLangTag(tc.in)
			if ok != tc.ok || got != tc.want {
				t.Errorf("CanonicalLangTag(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}
