package conf

import (
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// maxCodeLifetime follows RFC 6749 §4.1.2: "A maximum authorization code
// lifetime of 10 minutes is RECOMMENDED."
const maxCodeLifetime = 10 * time.Minute

func supportedResponseModes() []string {
	return []string{"query", "fragment", "form_post", "query.jwt", "fragment.jwt", "form_post.jwt", "jwt"}
}

func supportedJWSAlgs() []string {
	return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512"}
}

func supportedJWEAlgs() []string {
	return []string{"RSA-OAEP-256", "RSA-OAEP", "RSA1_5", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW", "dir"}
}

func supportedJWEEncs() []string {
	return []string{"A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM"}
}

func supportedAuthMethods() []string {
	return []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none", "tls_client_auth", "self_signed_tls_client_auth"}
}

func checkResponseModes(c *Config, r *report) {
	modes := c.OP.Authz.ResponseModes
	if len(modes) == 0 {
		r.add("op.authz.responseModes", "needs at least one response mode")
	}
	r.subset("op.authz.responseModes", modes, supportedResponseModes(), "response mode")
}

// checkResponseAlgs covers JARM (JWT Secured Authorization Response Mode):
// its responses are always signed and optionally encrypted, and encryption
// needs both a key management algorithm and a content encryption method.
func checkResponseAlgs(c *Config, r *report) {
	a := c.OP.Authz
	r.subset("op.authz.responseJWSAlgs", a.ResponseJWSAlgs, supportedJWSAlgs(), "algorithm")
	r.subset("op.authz.responseJWEAlgs", a.ResponseJWEAlgs, supportedJWEAlgs(), "algorithm")
	r.subset("op.authz.responseJWEEncs", a.ResponseJWEEncs, supportedJWEEncs(), "encryption method")
	usesJARM := slices.ContainsFunc(a.ResponseModes, func(m string) bool { return m == "jwt" || strings.HasSuffix(m, ".jwt") })
	if usesJARM && len(a.ResponseJWSAlgs) == 0 {
		r.add("op.authz.responseJWSAlgs", "needs at least one algorithm while a JWT response mode is enabled")
	}
	switch {
	case len(a.ResponseJWEAlgs) > 0 && len(a.ResponseJWEEncs) == 0:
		r.add("op.authz.responseJWEEncs", "needs at least one encryption method while op.authz.responseJWEAlgs is set")
	case len(a.ResponseJWEEncs) > 0 && len(a.ResponseJWEAlgs) == 0:
		r.add("op.authz.responseJWEAlgs", "needs at least one algorithm while op.authz.responseJWEEncs is set")
	}
}

func checkCodeLifetime(c *Config, r *report) {
	d := c.OP.Authz.CodeLifetime
	if r.positive("op.authz.codeLifetime", d) && d > maxCodeLifetime {
		r.add("op.authz.codeLifetime", "must not exceed %s, not %s", maxCodeLifetime, d)
	}
	// JARM §4.1: the response JWT's exp should be short; 10 minutes at most.
	if d := c.OP.Authz.ResponseLifetime; r.positive("op.authz.responseLifetime", d) && d > maxCodeLifetime {
		r.add("op.authz.responseLifetime", "must not exceed %s, not %s", maxCodeLifetime, d)
	}
}

func checkAuthMethods(c *Config, r *report) {
	methods := c.OP.Token.AuthMethods
	if len(methods) == 0 {
		r.add("op.token.authMethods", "needs at least one client authentication method")
	}
	r.subset("op.token.authMethods", methods, supportedAuthMethods(), "client authentication method")
}

// checkCertAuthMethods covers RFC 8705 mutual-TLS client authentication.
// Certificates reach Gatehouse either from its own TLS handshake or from a
// header set by the TLS proxy.
func checkCertAuthMethods(c *Config, r *report) {
	methods := c.OP.Token.AuthMethods
	var enabled []string
	for _, m := range []string{"tls_client_auth", "self_signed_tls_client_auth"} {
		if slices.Contains(methods, m) {
			enabled = append(enabled, m)
		}
	}
	header := c.OP.TLS.ClientX509CertHeader
	switch {
	case len(enabled) == 0:
	case header == "" && c.TLS.ClientAuth == "none":
		r.add("op.token.authMethods", "%s %s client certificates: set op.tls.clientX509CertHeader (behind a TLS proxy) or tls.clientAuth", strings.Join(enabled, " and "), needs(len(enabled)))
	case len(enabled) == 2 && header != "":
		// A proxy either checks client certificates against a CA or accepts
		// self-signed ones; the header cannot say which it did, so Gatehouse
		// could not tell a CA-issued certificate from one the client made up.
		r.add("op.token.authMethods", "tls_client_auth and self_signed_tls_client_auth cannot both be enabled while certificates come from op.tls.clientX509CertHeader")
	}
}

func checkTokenLifetimes(c *Config, r *report) {
	t := c.OP.Token
	r.positive("op.token.accessTokenLifetime", t.AccessTokenLifetime)
	r.oneOf("op.token.accessTokenAlg", t.AccessTokenAlg, "RS256", "PS256", "ES256", "EdDSA")
	r.positive("op.token.refreshTokenLifetime", t.RefreshTokenLifetime)
}

// checkRegistration does not echo the master token hash: even a hash of a
// weak token is better kept out of logs.
func checkRegistration(c *Config, r *report) {
	reg := c.OP.Reg
	if h := reg.MasterTokenSHA256; h != "" {
		if _, err := hex.DecodeString(h); err != nil || len(h) != 64 {
			r.add("op.reg.masterTokenSHA256", "must be 64 hexadecimal characters (the SHA-256 of the master token)")
		}
	}
	if reg.SecretRolloverWindow < 0 {
		r.add("op.reg.secretRolloverWindow", "must not be negative, not %s", reg.SecretRolloverWindow)
	}
	if reg.AllowOpenPrivateAddresses && !reg.AllowOpenRegistration {
		r.add("op.reg.allowOpenPrivateAddresses", "is for a lab with op.reg.allowOpenRegistration: true; without it, leave it false")
	}
}

// checkSecretCodec applies the limits of RFC 9106 §3.1: memory of at least
// 8 KiB per lane, and at least one pass and one lane. The 1 MiB floor is
// ours: less is too cheap to slow down a guessing attack. The ceilings are
// the ones the codec accepts for any stored hash, so a configuration it
// would refuse is reported here, with the others.
func checkSecretCodec(c *Config, r *report) {
	s := c.OP.Secrets
	r.oneOf("op.secrets.codec", s.Codec, "argon2id")
	a := s.Argon2id
	if a.Parallelism < 1 || a.Parallelism > 64 {
		r.add("op.secrets.argon2id.parallelism", "must be from 1 to 64, not %d", a.Parallelism)
	}
	if a.Iterations < 1 || a.Iterations > 100 {
		r.add("op.secrets.argon2id.iterations", "must be from 1 to 100, not %d", a.Iterations)
	}
	switch minimum := 8 * uint64(a.Parallelism); {
	case a.MemoryKiB > 1<<20:
		r.add("op.secrets.argon2id.memoryKiB", "must be at most 1048576 (1 GiB), not %d", a.MemoryKiB)
	case uint64(a.MemoryKiB)*uint64(a.Iterations) > 4<<20:
		r.add("op.secrets.argon2id.memoryKiB", "times iterations must be at most 4 GiB")
	case a.MemoryKiB < 1024:
		r.add("op.secrets.argon2id.memoryKiB", "must be at least 1024, not %d", a.MemoryKiB)
	case uint64(a.MemoryKiB) < minimum:
		r.add("op.secrets.argon2id.memoryKiB", "must be at least 8 × parallelism (%d), not %d", minimum, a.MemoryKiB)
	}
}

func needs(n int) string {
	if n == 1 {
		return "needs"
	}
	return "need"
}
