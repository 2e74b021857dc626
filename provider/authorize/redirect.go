package authorize

import (
	"net/url"
	"slices"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

const paramRedirectURI = "redirect_uri"

// resolveRedirect finds the URI to respond to among the parameters of a
// request by client c. Its errors are shown, never redirected.
//
// A missing redirect_uri is allowed when the client registered exactly
// one (RFC 6749 §3.1.2.3); the OpenID Connect rule that makes it required
// (Core §3.1.2.1) is checked later, because its error can then safely go
// to that one registered URI.
func resolveRedirect(p params, c oauth.Client) (uri string, given bool, e *oauth.Error) {
	if slices.Contains(p.repeated, paramRedirectURI) {
		return "", false, invalid(oauth.ErrInvalidRequest, paramRedirectURI, "given more than once")
	}
	registered := c.Metadata.RedirectURIs
	raw := p.get(paramRedirectURI)
	if raw == "" {
		switch len(registered) {
		case 1:
			return registered[0], false, nil
		case 0:
			return "", false, invalid(oauth.ErrInvalidRequest, paramRedirectURI, "missing, and the client has no redirect URI registered")
		}
		return "", false, invalid(oauth.ErrInvalidRequest, paramRedirectURI, "missing; the client has several redirect URIs registered and must name one")
	}
	if len(raw) > oauth.MaxRedirectURI {
		return "", false, invalid(oauth.ErrInvalidRequest, paramRedirectURI, "longer than %d bytes", oauth.MaxRedirectURI)
	}
	if problem := malformedRedirect(raw); problem != "" {
		return "", false, invalid(oauth.ErrInvalidRequest, paramRedirectURI, "%s %s", quote(raw), problem)
	}
	native := c.Metadata.ApplicationType == "native"
	if !slices.ContainsFunc(registered, func(reg string) bool { return redirectMatches(reg, raw, native) }) {
		return "", false, invalid(oauth.ErrInvalidRequest, paramRedirectURI, "%s is not registered for this client", quote(raw))
	}
	return raw, true, nil
}

// malformedRedirect says why raw cannot be a redirect URI at all (RFC
// 6749 §3.1.2: absolute, without a fragment), or "". What else makes a
// redirect URI acceptable was checked when it was registered; matching
// does the rest.
func malformedRedirect(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "is not a valid URI"
	case !u.IsAbs():
		return "is not an absolute URI"
	case strings.Contains(raw, "#"):
		return "must not have a fragment"
	}
	return ""
}

// redirectMatches reports whether the requested redirect URI is the
// registered one: the same string, as RFC 6749 §3.1.2.3 and OpenID
// Connect Core §3.1.2.1 want — no normalisation, no prefixes. The one
// exception is RFC 8252 §7.3: a native application listens on a loopback
// port it gets from the system when it runs, so for an http URI on the
// loopback IP literals 127.0.0.1 and [::1] the port is ignored. "localhost"
// is not among them: it is a name that can resolve elsewhere (RFC 8252
// §8.3).
func redirectMatches(registered, requested string, native bool) bool {
	if registered == requested {
		return true
	}
	if !native {
		return false
	}
	regHost, regRest, ok := splitLoopback(registered)
	if !ok {
		return false
	}
	reqHost, reqRest, ok := splitLoopback(requested)
	return ok && regHost == reqHost && regRest == reqRest
}

// splitLoopback takes apart an http URI on a loopback IP literal into its
// host and what follows the port, working on the string as given so that
// nothing but the port is ignored. It refuses anything unusual, such as
// userinfo or a host that merely begins with 127.0.0.1.
func splitLoopback(raw string) (host, rest string, ok bool) {
	after, found := strings.CutPrefix(raw, "http://")
	if !found {
		return "", "", false
	}
	switch {
	case strings.HasPrefix(after, "127.0.0.1"):
		host = "127.0.0.1"
	case strings.HasPrefix(after, "[::1]"):
		host = "[::1]"
	default:
		return "", "", false
	}
	after = after[len(host):]
	if port, found := strings.CutPrefix(after, ":"); found {
		n := 0
		for n < len(port) && port[n] >= '0' && port[n] <= '9' {
			n++
		}
		if n == 0 || n > 5 {
			return "", "", false
		}
		after = port[n:]
	}
	if after != "" && after[0] != '/' && after[0] != '?' {
		return "", "", false
	}
	if strings.Contains(after, "#") {
		return "", "", false
	}
	return host, after, true
}
