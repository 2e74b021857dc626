package conformance

import (
	"encoding/json"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// FullClient returns a client with every field set, as a store gives it
// back: times to the second in UTC, language tags in canonical case, URIs
// in ASCII (the 1.15 schema holds them as IA5 strings). Version is empty.
func FullClient(id string) oauth.Client {
	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	maxAge := 900
	return oauth.Client{
		ID:                      id,
		IDIssuedAt:              at,
		Secret:                  "$argon2id$v=19$m=65536,t=1,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
		SecretExpiresAt:         at.Add(90 * 24 * time.Hour),
		PreviousSecret:          "$2b$10$abcdefghijklmnopqrstuuJx3k1Qp6nS0oQ7Q4YlV0m9yC1L8m2S6",
		PreviousSecretExpiresAt: at.Add(30 * time.Minute),
		RegistrationTokenHash:   "sha256:6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b",
		LegacyRegistrationToken: "legacy-registration-token",
		RegistrationURI:         "https://op.example/clients/full",
		Metadata: oauth.Metadata{
			RedirectURIs:                []string{"https://rp.example/cb", "https://rp.example/cb2?a=1&b=2", "com.example.app:/oauth2redirect"},
			TokenEndpointAuthMethod:     "private_key_jwt",
			TokenEndpointAuthSigningAlg: "PS256",
			GrantTypes:                  []string{"authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
			ResponseTypes:               []string{"code", "code id_token"},
			ClientName:                  oauth.LangString{"": "Example RP", "de": "Beispiel-RP", "fr-CA": "RP d'exemple", "ja": "例のRP"},
			ClientURI:                   oauth.LangString{"": "https://rp.example/", "de": "https://rp.example/de/"},
			LogoURI:                     oauth.LangString{"": "https://rp.example/logo.png", "en-GB": "https://rp.example/logo-gb.png"},
			TOSURI:                      oauth.LangString{"de": "https://rp.example/agb"},
			PolicyURI:                   oauth.LangString{"": "https://rp.example/privacy"},
			Scope:                       []string{"openid", "email", "profile", "offline_access"},
			Contacts:                    []string{"ops@rp.example", "security@rp.example"},
			JWKSURI:                     "https://rp.example/jwks.json",
			JWKS:                        json.RawMessage(`{"keys": [{"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "use": "sig"}]}`),
			SoftwareID:                  "4NRB1-0XZABZI9E6-5SM3R",
			SoftwareVersion:             "2.1.0",

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
			DefaultMaxAge:                &maxAge,
			RequireAuthTime:              true,
			DefaultACRValues:             []string{"urn:mace:incommon:iap:silver", "phr"},
			InitiateLoginURI:             "https://rp.example/login",
			RequestURIs:                  []string{"https://rp.example/req.jwt#a1b2"},

			PostLogoutRedirectURIs:            []string{"https://rp.example/bye", "https://rp.example/bye2"},
			FrontchannelLogoutURI:             "https://rp.example/fc",
			FrontchannelLogoutSessionRequired: true,
			BackchannelLogoutURI:              "https://rp.example/bc",
			BackchannelLogoutSessionRequired:  true,

			// In the form OpenLDAP gives back a value of DN syntax, which the
			// 1.15 schema gives this attribute: types in lower case.
			TLSClientAuthSubjectDN:                "cn=rp.example,o=Example Corp,c=DE",
			TLSClientAuthSANDNS:                   "rp.example",
			TLSClientAuthSANURI:                   "https://rp.example/id",
			TLSClientAuthSANIP:                    "2001:db8::7",
			TLSClientAuthSANEmail:                 "rp@rp.example",
			TLSClientCertificateBoundAccessTokens: true,

			AuthorizationSignedResponseAlg:    "ES256",
			AuthorizationEncryptedResponseAlg: "ECDH-ES+A128KW",
			AuthorizationEncryptedResponseEnc: "A128GCM",

			RequirePushedAuthorizationRequests: true,

			Extra: map[string]json.RawMessage{
				"custom_data": json.RawMessage(`{"tier": "gold", "limits": {"rps": 10, "burst": [1, 2.5, -3e2]}, "note": null, "ünïcode": "Grüße, \"quoted\" \\ <tag>"}`),
				"x_flag":      json.RawMessage(`true`),
				"x_label#de":  json.RawMessage(`"Etikett"`),
			},
		},
	}
}

// MinimalClient has nothing but its ID.
func MinimalClient(id string) oauth.Client { return oauth.Client{ID: id} }
