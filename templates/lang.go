package templates

import (
	"sort"
	"strconv"
	"strings"
)

// defaultLang is the language of a page when nothing the browser or the
// client says names one we have.
const defaultLang = "en"

// languages are the languages the pages are written in, default first.
var languages = []string{defaultLang, "de"}

// Languages returns the language tags the pages are written in, the default
// first: the value of ui_locales_supported in the discovery document.
func Languages() []string {
	return append([]string(nil), languages...)
}

// ChooseLang picks the language of a page. The client's ui_locales wins
// (OpenID Connect Core 3.1.2.1: "space-separated list of BCP47 language tag
// values, ordered by preference"), then the browser's Accept-Language
// header (RFC 9110 §12.5.4), then English. Each element of uiLocales may
// itself hold several space-separated tags. A region or script never stands
// in the way: de-AT and de-Latn-CH choose German.
func ChooseLang(uiLocales []string, acceptLanguage string) string {
	for _, value := range uiLocales {
		for _, tag := range strings.Fields(value) {
			if lang, ok := supported(tag); ok {
				return lang
			}
		}
	}
	if lang, ok := fromAcceptLanguage(acceptLanguage); ok {
		return lang
	}
	return defaultLang
}

// fromAcceptLanguage returns the supported language with the highest
// q-value in an Accept-Language header; among equal q-values the one named
// first wins. A range with q=0 is "not acceptable" and chooses nothing; the
// wildcard stands for any language the header does not name, so
// "de;q=0, *" chooses English and "en;q=0, *" German.
func fromAcceptLanguage(header string) (string, bool) {
	type entry struct {
		lang     string // supported language, or "*"
		q        int    // thousandths, so that 0.8 and 0.800 compare equal
		wildcard bool
	}
	var entries []entry
	named := map[string]bool{}
	for _, part := range strings.Split(header, ",") {
		rng, q, ok := parseLanguageRange(part)
		if !ok {
			continue
		}
		if rng == "*" {
			entries = append(entries, entry{q: q, wildcard: true})
			continue
		}
		named[baseLang(rng)] = true
		if lang, ok := supported(rng); ok {
			entries = append(entries, entry{lang: lang, q: q})
		}
	}

	best, bestQ := "", 0
	for _, e := range entries {
		lang := e.lang
		if e.wildcard {
			lang = firstUnnamed(named)
		}
		if lang != "" && e.q > bestQ {
			best, bestQ = lang, e.q
		}
	}
	return best, best != ""
}

func firstUnnamed(named map[string]bool) string {
	for _, lang := range languages {
		if !named[lang] {
			return lang
		}
	}
	return ""
}

// parseLanguageRange parses one element of Accept-Language:
// language-range [ ";" "q=" qvalue ], with other parameters ignored.
// It reports false for anything that is not well formed.
func parseLanguageRange(s string) (rng string, q int, ok bool) {
	params := strings.Split(s, ";")
	rng = strings.ToLower(strings.TrimSpace(params[0]))
	if rng != "*" && !isLanguageTag(rng) {
		return "", 0, false
	}
	q = 1000
	for _, p := range params[1:] {
		name, value, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found {
			return "", 0, false
		}
		if strings.EqualFold(strings.TrimSpace(name), "q") {
			if q, ok = parseQValue(strings.TrimSpace(value)); !ok {
				return "", 0, false
			}
		}
	}
	return rng, q, true
}

// parseQValue parses a weight (RFC 9110 §12.4.2):
// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ),
// returned in thousandths.
func parseQValue(s string) (int, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	if (whole != "0" && whole != "1") || len(frac) > 3 {
		return 0, false
	}
	for _, c := range frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	frac += strings.Repeat("0", 3-len(frac))
	n, _ := strconv.Atoi(frac)
	if whole == "1" {
		if n != 0 {
			return 0, false
		}
		return 1000, true
	}
	return n, true
}

// isLanguageTag reports whether s has the shape of a BCP 47 tag as
// Accept-Language allows it: 1*8ALPHA *("-" 1*8alphanum).
func isLanguageTag(s string) bool {
	for i, sub := range strings.Split(s, "-") {
		if len(sub) < 1 || len(sub) > 8 {
			return false
		}
		for _, c := range sub {
			alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
			digit := c >= '0' && c <= '9'
			if !alpha && (i == 0 || !digit) {
				return false
			}
		}
	}
	return true
}

// supported maps a language tag to the supported language it asks for.
func supported(tag string) (string, bool) {
	tag = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tag), "_", "-"))
	if !isLanguageTag(tag) {
		return "", false
	}
	base := baseLang(tag)
	for _, lang := range languages {
		if base == lang {
			return lang, true
		}
	}
	return "", false
}

// baseLang is the primary language subtag, lower-cased: "de" for "de-AT".
func baseLang(tag string) string {
	base, _, _ := strings.Cut(tag, "-")
	return strings.ToLower(base)
}

// resolveLang returns lang if the pages are written in it (or in its base
// language), else the default: render functions trust no caller blindly.
func resolveLang(lang string) string {
	if l, ok := supported(lang); ok {
		return l
	}
	return defaultLang
}

// PickLang chooses among the language variants of a human-readable client
// metadata value (RFC 7591 §2.2: client_name#de, logo_uri#en-US, …), keyed
// by language tag with "" for the untagged value — an oauth.LangString.
// In order: the exact tag (ignoring case); the tag's base language
// ("de" for "de-AT"); another variant of the same base language ("de-CH"
// for "de"); the untagged value; and, so that a name registered only in
// other languages is still shown, the variant with the smallest tag.
// It returns "" when values is empty.
func PickLang(values map[string]string, lang string) string {
	if len(values) == 0 {
		return ""
	}
	if v, ok := values[lang]; ok && lang != "" {
		return v
	}
	tags := make([]string, 0, len(values))
	for tag := range values {
		tags = append(tags, tag)
	}
	sort.Strings(tags)
	if lang != "" {
		for _, tag := range tags {
			if strings.EqualFold(tag, lang) {
				return values[tag]
			}
		}
		base := baseLang(lang)
		for _, tag := range tags {
			if strings.EqualFold(tag, base) {
				return values[tag]
			}
		}
		for _, tag := range tags {
			if tag != "" && baseLang(tag) == base {
				return values[tag]
			}
		}
	}
	if v, ok := values[""]; ok {
		return v
	}
	return values[tags[0]]
}
