package conf

import (
	"testing"
	"time"
)

func TestValidateProfile(t *testing.T) {
	fapi := func(alg string, code time.Duration) func(*Config) {
		return func(c *Config) {
			c.OP.Profile, c.OP.Token.AccessTokenAlg, c.OP.Authz.CodeLifetime = "fapi2-security", alg, code
		}
	}
	runValidationCases(t, []validationCase{
		{name: "none, RS256", change: func(c *Config) { c.OP.Token.AccessTokenAlg = "RS256" }},
		{name: "security, PS256", change: fapi("PS256", time.Minute)},
		{name: "message signing, EdDSA", change: func(c *Config) {
			fapi("EdDSA", 30*time.Second)(c)
			c.OP.Profile = "fapi2-message-signing"
		}},
		{name: "RS256 access tokens", change: fapi("RS256", time.Minute),
			want: []string{"op.token.accessTokenAlg: must be PS256, ES256 or EdDSA under op.profile fapi2-security, not RS256"}},
		{name: "long codes", change: fapi("ES256", 2*time.Minute),
			want: []string{"op.authz.codeLifetime: must not exceed 1m0s under op.profile fapi2-security, not 2m0s"}},
		{name: "unknown profile", change: func(c *Config) { c.OP.Profile = "fapi1" },
			want: []string{`op.profile: must be one of fapi2-security or fapi2-message-signing, not "fapi1"`}},
	})
}
