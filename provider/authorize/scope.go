package authorize

import (
	"fmt"
	"slices"
	"strings"
)

const scopeOpenID = "openid"

// ParseScope splits a scope parameter into its values, in the order given
// and without repeats. RFC 6749 §3.3: scope = scope-token *( SP
// scope-token ), scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). Runs of
// spaces and leading or trailing spaces are tolerated (some clients send
// them); any other character outside NQCHAR is an error. An empty or
// all-space value has no scopes.
func ParseScope(s string) ([]string, error) {
	var out []string
	for tok := range strings.SplitSeq(s, " ") {
		if tok == "" {
			continue
		}
		if i := strings.IndexFunc(tok, notNQChar); i >= 0 {
			return nil, fmt.Errorf("%s holds a character not allowed in a scope value", quote(tok))
		}
		if !slices.Contains(out, tok) {
			out = append(out, tok)
		}
	}
	return out, nil
}

// notNQChar is true outside RFC 6749's NQCHAR: %x21 / %x23-5B / %x5D-7E.
func notNQChar(r rune) bool {
	return r < 0x21 || r > 0x7e || r == '"' || r == '\\'
}

// splitList reads a space-separated list (prompt, ui_locales, acr_values,
// claims_locales), dropping empty values and repeats.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' }) {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// quote shows a client's value in an error description: shortened, and in
// single quotes, as error_description may not hold double quotes
// (RFC 6749 §4.1.2.1).
func quote(s string) string {
	const maxShown = 60
	if len(s) > maxShown {
		s = s[:maxShown] + "..."
	}
	return "'" + s + "'"
}
