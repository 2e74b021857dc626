package flow

import (
	"net/url"
	"strings"
)

// maxLocalPath bounds a return= path (docs/limits.md).
const maxLocalPath = 512

// LocalPath checks a path a page of ours was asked to return to (return=,
// a flow's ReturnTo) and gives it back re-encoded, ready for a Location
// header; ok is false for anything that could lead off this server.
// Browsers drop tabs and newlines from URLs and read a backslash as a
// slash, so "/\t/evil.example" or "/\\evil.example" would become
// "//evil.example", another origin: any control byte or backslash is
// refused outright, and what remains must parse as a path alone (no
// scheme, no host) starting with a single "/".
func LocalPath(p string) (string, bool) {
	if p == "" || len(p) > maxLocalPath || strings.Contains(p, "\\") {
		return "", false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 0x20 || p[i] == 0x7f {
			return "", false
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	path := u.EscapedPath()
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") || strings.HasPrefix(u.Path, "//") {
		return "", false
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return path, true
}
