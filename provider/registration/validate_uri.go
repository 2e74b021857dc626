package registration

import (
	"maps"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// redirectProblem says what is wrong with a redirect URI, or "" when it is
// fine. The rules are RFC 6749 §3.1.2 (absolute, no fragment), RFC 8252
// §7 for native applications (custom schemes, http on loopback) and, for
// web applications, https except on loopback.
func redirectProblem(raw string, native bool) string {
	u, err := url.Parse(raw)
	switch {
	case len(raw) > oauth.MaxRedirectURI:
		// The authorization endpoint refuses longer ones: registered,
		// such a URI could never be used.
		return "is longer than " + strconv.Itoa(oauth.MaxRedirectURI) + " bytes"
	case err != nil:
		return "is not a valid URI"
	case u.Scheme == "":
		return "is not an absolute URI"
	case strings.Contains(raw, "#"):
		return "must not have a fragment"
	}
	switch u.Scheme { // url.Parse lower-cases the scheme
	case "javascript", "data", "vbscript":
		return "uses a forbidden scheme"
	case "https":
		return hostProblem(u)
	case "http":
		if p := hostProblem(u); p != "" {
			return p
		}
		if !isLoopback(u.Hostname()) {
			return "must use https: http is for loopback addresses only"
		}
		return ""
	}
	if !native {
		return "must use https (or http on a loopback address): custom schemes are for native applications"
	}
	if u.Opaque == "" && u.Path == "" && u.Host == "" {
		return "has nothing after its scheme"
	}
	return ""
}

func hostProblem(u *url.URL) string {
	if u.Host == "" {
		return "has no host"
	}
	return ""
}

// isLoopback is true for localhost and the loopback IP addresses.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.IsLoopback()
}

// webURLProblem: an absolute http or https URL, for pages people look at.
func webURLProblem(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "is not a valid URI"
	case u.Scheme != "https" && u.Scheme != "http":
		return "must be an http or https URL"
	}
	return hostProblem(u)
}

// secureURLProblem: an https URL, or http on loopback, for what the server
// fetches or calls, or sends people to with something to protect.
func secureURLProblem(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "is not a valid URI"
	case u.Scheme == "https":
		return hostProblem(u)
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return ""
	}
	return "must be an https URL (http is for loopback addresses only)"
}

// uriField is a metadata member holding URLs and the rule they follow.
type uriField struct {
	name   string
	values []string
	rule   func(string) string
}

// otherURIs checks every URL member besides the redirect URIs.
func (v *validator) otherURIs() *oauth.Error {
	m := v.m
	fields := []uriField{
		{"client_uri", langValues(m.ClientURI), webURLProblem},
		{"logo_uri", langValues(m.LogoURI), webURLProblem},
		{"tos_uri", langValues(m.TOSURI), webURLProblem},
		{"policy_uri", langValues(m.PolicyURI), webURLProblem},
		{"jwks_uri", nonEmpty(m.JWKSURI), secureURLProblem},
		{"sector_identifier_uri", nonEmpty(m.SectorIdentifierURI), secureURLProblem},
		{"initiate_login_uri", nonEmpty(m.InitiateLoginURI), secureURLProblem},
		{"request_uris", m.RequestURIs, secureURLProblem},
		{"frontchannel_logout_uri", nonEmpty(m.FrontchannelLogoutURI), logoutURIProblem},
		{"backchannel_logout_uri", nonEmpty(m.BackchannelLogoutURI), logoutURIProblem},
	}
	for _, f := range fields {
		for _, raw := range f.values {
			if p := f.rule(raw); p != "" {
				return invalidMetadata(f.name, "%s %s", quote(raw), p)
			}
		}
	}
	return nil
}

// logoutURIProblem: a secure URL without a fragment (Front-Channel Logout
// 1.0 §2, Back-Channel Logout 1.0 §2.2: the OP adds query parameters,
// and a fragment would never reach the client's server).
func logoutURIProblem(raw string) string {
	if strings.Contains(raw, "#") {
		return "must not have a fragment"
	}
	return secureURLProblem(raw)
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// langValues lists the values of a language-tagged member in tag order.
func langValues(s oauth.LangString) []string {
	out := make([]string, 0, len(s))
	for _, tag := range slices.Sorted(maps.Keys(s)) {
		out = append(out, s[tag])
	}
	return out
}
