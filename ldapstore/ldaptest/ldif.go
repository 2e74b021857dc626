package ldaptest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// ldifDNs returns the DN of every record of an LDIF file, in order.
// It reads just enough LDIF (RFC 2849) for that: folded lines, comments
// and base64 ("dn::") values.
func ldifDNs(data []byte) ([]string, error) {
	var dns []string
	for i, line := range unfoldLDIF(data) {
		dn, ok, err := dnValue(line)
		if err != nil {
			return nil, fmt.Errorf("logical line %d: %w", i+1, err)
		}
		if ok {
			dns = append(dns, dn)
		}
	}
	return dns, nil
}

// unfoldLDIF joins continuation lines (those starting with one space) to
// the line before them and drops comments, continued or not.
func unfoldLDIF(data []byte) []string {
	var lines []string
	inComment := false
	for _, raw := range strings.Split(string(data), "\n") {
		raw = strings.TrimSuffix(raw, "\r")
		if cont, ok := strings.CutPrefix(raw, " "); ok {
			if !inComment && len(lines) > 0 {
				lines[len(lines)-1] += cont
			}
			continue
		}
		inComment = strings.HasPrefix(raw, "#")
		if !inComment {
			lines = append(lines, raw)
		}
	}
	return lines
}

// dnValue decodes a "dn:" or "dn::" line; ok is false for other lines.
func dnValue(line string) (dn string, ok bool, err error) {
	name, value, found := strings.Cut(line, ":")
	if !found || !strings.EqualFold(name, "dn") {
		return "", false, nil
	}
	if b64, isB64 := strings.CutPrefix(value, ":"); isB64 {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		if err != nil {
			return "", false, fmt.Errorf("base64 dn: %w", err)
		}
		return string(raw), true, nil
	}
	return strings.TrimSpace(value), true, nil
}

// withoutVersionLine turns a leading "version: 1" line into a comment:
// LDIF allows it but slapadd rejects it. Line numbers in slapadd's errors
// stay those of the original file.
func withoutVersionLine(data []byte) []byte {
	for at := 0; at < len(data); {
		line, _, _ := bytes.Cut(data[at:], []byte("\n"))
		switch {
		case isBlankOrComment(line):
			at += len(line) + 1
		case hasFoldPrefix(string(line), "version:"):
			out := make([]byte, 0, len(data)+2)
			out = append(out, data[:at]...)
			out = append(out, "# "...)
			return append(out, data[at:]...)
		default:
			return data
		}
	}
	return data
}

// isBlankOrComment is true for lines that may precede the version line:
// empty ones, comments and the continuations of comments.
func isBlankOrComment(line []byte) bool {
	trimmed := bytes.TrimRight(line, "\r")
	return len(trimmed) == 0 || trimmed[0] == '#' || trimmed[0] == ' '
}

func hasFoldPrefix(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// dnSet holds parsed DNs and compares them as LDAP does for our purposes:
// ignoring case and insignificant spaces.
type dnSet []*ldap.DN

func (set *dnSet) add(dns ...string) error {
	for _, s := range dns {
		dn, err := ldap.ParseDN(s)
		if err != nil {
			return fmt.Errorf("dn %q: %w", s, err)
		}
		*set = append(*set, dn)
	}
	return nil
}

// has reports whether dn is in the set; dn is one of ours, known to parse.
func (set dnSet) has(dn string) bool {
	want, err := ldap.ParseDN(dn)
	if err != nil {
		return false
	}
	for _, got := range set {
		if got.EqualFold(want) {
			return true
		}
	}
	return false
}
