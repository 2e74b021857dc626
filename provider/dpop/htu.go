package dpop

import (
	"net/url"
	"strings"
)

// matchesURL compares a proof's htu with the endpoint's URLs, ignoring
// query and fragment (RFC 9449 §4.3 item 9) after the syntax- and
// scheme-based normalisation of RFC 3986 §6.2.2 and §6.2.3: case of scheme
// and host, the default port, an empty path, and percent-encoding of
// unreserved characters.
func matchesURL(htu string, urls []string) bool {
	got, ok := normalURL(htu)
	if !ok {
		return false
	}
	for _, u := range urls {
		if want, ok := normalURL(u); ok && want == got {
			return true
		}
	}
	return false
}

// normalURL is s in normal form without query and fragment; ok is false
// for anything but an absolute http(s) URL.
func normalURL(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	// EscapedPath re-encodes the decoded path in one canonical way:
	// %7E and ~ come out the same.
	path := (&url.URL{Path: u.Path}).EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path, true
}
