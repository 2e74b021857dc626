package conf

import "time"

// The security profiles op.profile may name (provider/profile).
const (
	ProfileFAPI2Security       = "fapi2-security"
	ProfileFAPI2MessageSigning = "fapi2-message-signing"
)

// maxProfileCodeLifetime: FAPI 2.0 Security Profile §5.3.2.1 asks that
// codes live at most a minute.
const maxProfileCodeLifetime = time.Minute

// checkProfile: with op.profile on, every client is held to FAPI 2.0, so
// what the deployment itself signs and keeps must fit it too: access
// tokens signed with PS256, ES256 or EdDSA (RS256 is not allowed, §5.4.1)
// and codes that live at most a minute.
func checkProfile(c *Config, r *report) {
	p := c.OP.Profile
	if p == "" || !r.oneOf("op.profile", p, ProfileFAPI2Security, ProfileFAPI2MessageSigning) {
		return
	}
	if alg := c.OP.Token.AccessTokenAlg; alg != "PS256" && alg != "ES256" && alg != "EdDSA" {
		r.add("op.token.accessTokenAlg", "must be PS256, ES256 or EdDSA under op.profile %s, not %s", p, alg)
	}
	if d := c.OP.Authz.CodeLifetime; d > maxProfileCodeLifetime {
		r.add("op.authz.codeLifetime", "must not exceed %s under op.profile %s, not %s", maxProfileCodeLifetime, p, d)
	}
}
