package conformance

import (
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// FullAuthorization returns an authorization with every field set, as a
// store gives it back: times to the second in UTC, Data as encoding/json
// decodes it (numbers float64, arrays []any). Version is empty.
func FullAuthorization(subject, clientID string) oauth.Authorization {
	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	return oauth.Authorization{
		Subject:   subject,
		ClientID:  clientID,
		Scopes:    []string{"openid", "profile", "email", "offline_access", "https://api.example/read"},
		Claims:    []string{"email", "email_verified", "name", "https://claims.example/dept"},
		IssuedAt:  at,
		UpdatedAt: at.Add(90 * time.Minute),
		Issuer:    "https://op.example/tenant-1",
		// Hashes as the token endpoint keeps them: SHA-256, hex.
		RefreshTokenHash:     "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		RefreshTokenIssuedAt: at.Add(time.Hour),
		RefreshTokenLifetime: 30 * 24 * time.Hour,
		RotatedRefreshHashes: []string{
			"60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752",
			"fd61a03af4f77d870fc21e05e7e80678095c92d808cfb3b5c279ee04c74aca13",
		},
		Data: map[string]any{
			"acr":    "urn:example:loa:2",
			"amr":    []any{"pwd", "otp"},
			"count":  float64(3),
			"ratio":  0.25,
			"nested": map[string]any{"ünïcode": "Grüße, \"quoted\" \\ <tag>", "null": nil, "flag": true},
		},
	}
}

// MinimalAuthorization has nothing but its subject and client ID.
func MinimalAuthorization(subject, clientID string) oauth.Authorization {
	return oauth.Authorization{Subject: subject, ClientID: clientID}
}
