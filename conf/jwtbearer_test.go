package conf

import (
	"testing"
	"time"
)

func TestValidateJWTBearer(t *testing.T) {
	issuers := func(is ...JWTBearerIssuer) func(*Config) {
		return func(c *Config) { c.OP.JWTBearer.Issuers = is }
	}
	good := JWTBearerIssuer{Issuer: "https://idp.example", JWKSURL: "https://idp.example/jwks"}
	runValidationCases(t, []validationCase{
		{name: "none", change: issuers()},
		{name: "one, defaults", change: issuers(good)},
		{name: "loopback http", change: issuers(JWTBearerIssuer{Issuer: "x", JWKSURL: "http://127.0.0.1:9/jwks",
			Lookup: "subject", SubjectClaim: "uid", Audiences: []string{"urn:op"}, MaxLifetime: time.Hour})},
		{name: "mistakes", change: issuers(
			JWTBearerIssuer{JWKSURL: "http://idp.example/jwks", Lookup: "mail", MaxLifetime: 48 * time.Hour, Audiences: []string{""}},
			good, good), want: []string{
			"op.jwtBearer.issuers[0].issuer: is required",
			`op.jwtBearer.issuers[0].jwksURL: must be an https URL (http only on a loopback address), not "http://idp.example/jwks"`,
			`op.jwtBearer.issuers[0].lookup: must be one of username or subject, not "mail"`,
			"op.jwtBearer.issuers[0].maxLifetime: must be between 0 (the default, 10m) and 24h0m0s, not 48h0m0s",
			"op.jwtBearer.issuers[0].audiences[0]: is required",
			`op.jwtBearer.issuers[2].issuer: "https://idp.example" is configured twice`,
		}},
	})
}

func TestParseJWTBearer(t *testing.T) {
	cfg, err := Parse([]byte(minimalYAML+`op:
  jwtBearer:
    issuers:
      - {issuer: "https://idp.example", jwksURL: "https://idp.example/jwks", lookup: subject, maxLifetime: 2m}
`), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	is := cfg.OP.JWTBearer.Issuers
	if len(is) != 1 || is[0].Lookup != "subject" || is[0].MaxLifetime != 2*time.Minute || is[0].JWKSURL != "https://idp.example/jwks" {
		t.Errorf("op.jwtBearer = %+v", cfg.OP.JWTBearer)
	}
	if _, err := Parse([]byte(minimalYAML+"op:\n  jwtBearer:\n    issuers: [{issuer: x, jwksUrl: y}]\n"), "x.yaml"); err == nil {
		t.Error("an unknown key was accepted")
	}
}
