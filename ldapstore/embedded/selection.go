package embedded

import "strings"

// selection is the attribute list of a search request (RFC 4511 §4.5.1.8,
// RFC 3673): "*" or an empty list for all user attributes, "+" for all
// operational ones, "1.1" for none, or attribute descriptions, each of
// which also selects its subtypes (cn selects cn;lang-de).
type selection struct {
	user        bool
	operational bool
	named       []attrDesc
}

func newSelection(requested []string) selection {
	if len(requested) == 0 {
		return selection{user: true}
	}
	var s selection
	for _, r := range requested {
		switch r {
		case "*":
			s.user = true
		case "+":
			s.operational = true
		case "1.1":
			// "no attributes", unless others are listed too
		default:
			s.named = append(s.named, parseDesc(r))
		}
	}
	return s
}

// wants reports whether an attribute described by d is to be returned.
func (s selection) wants(d attrDesc) bool {
	if isOperational(d.base) && s.operational || !isOperational(d.base) && s.user {
		return true
	}
	for _, n := range s.named {
		if n.covers(d) {
			return true
		}
	}
	return false
}

// hiddenFrom returns what a client bound as who may neither read nor
// assert in a filter: for everyone but the admin, every attribute that holds
// a credential — userPassword, client secrets, registration access and
// refresh tokens, and hashes of them — recognised by its name's ending.
func hiddenFrom(who identity) func(attrDesc) bool {
	return func(d attrDesc) bool { return !who.admin && isCredential(d.base) }
}

// credentialSuffixes end the (lower-case) names of attributes that hold
// secrets or hashes of secrets.
var credentialSuffixes = []string{"password", "secret", "token", "hash"}

func isCredential(base string) bool {
	for _, suffix := range credentialSuffixes {
		if strings.HasSuffix(base, suffix) {
			return true
		}
	}
	return false
}
