package oauth

import "strings"

// CanonicalLangTag checks the shape of a BCP 47 language tag (subtags of
// one to eight letters and digits joined by "-", the first made of letters)
// and returns it in the case RFC 5646 §2.1.1 recommends: "de", "de-CH",
// "sr-Latn-RS", "en-x-private". Tags are compared ignoring case, so the
// canonical form lets a tag written as "EN-us" in one place and "en-US" in
// another name the same LangString entry. It does not check the subtags
// against the IANA registry.
func CanonicalLangTag(tag string) (string, bool) {
	if tag == "" {
		return "", false
	}
	subtags := strings.Split(tag, "-")
	afterSingleton := false
	for i, s := range subtags {
		if !isSubtag(s) || i == 0 && !isAlpha(s) {
			return "", false
		}
		s = strings.ToLower(s)
		switch {
		case i == 0 || afterSingleton:
		case len(s) == 2 && isAlpha(s): // region
			s = strings.ToUpper(s)
		case len(s) == 4 && isAlpha(s): // script
			s = strings.ToUpper(s[:1]) + s[1:]
		}
		if len(s) == 1 {
			afterSingleton = true // an extension or private use follows
		}
		subtags[i] = s
	}
	return strings.Join(subtags, "-"), true
}

func isSubtag(s string) bool {
	if len(s) < 1 || len(s) > 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func isAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
