package authorize

import (
	"errors"
	"slices"
	"strings"
)

// ResponseType is a response_type value in canonical form: its values
// sorted and joined by single spaces, so that "id_token code" and
// "code id_token" are one type (OAuth 2.0 Multiple Response Type Encoding
// Practices §3: the order of the values does not matter).
type ResponseType string

// The values a response type is made of.
const (
	rtCode    = "code"
	rtIDToken = "id_token"
	rtToken   = "token"
	rtNone    = "none"
)

// DefaultResponseTypes are served when Config.ResponseTypes is empty: the
// code flow and the OpenID Connect types that return an ID token from the
// authorization endpoint. Types with token put an access token in the
// browser's history, which the OAuth 2.0 Security BCP advises against;
// they are served only when configured.
func DefaultResponseTypes() []string {
	return []string{"code", "code id_token", "id_token"}
}

var (
	errEmptyResponseType = errors.New("is empty")
	errUnknownValue      = errors.New("holds a value other than code, id_token, token and none")
	errRepeatedValue     = errors.New("repeats a value")
	errNoneCombined      = errors.New("combines none with other values")
)

// ParseResponseType reads a response_type parameter. Values are separated
// by spaces; extra spaces are tolerated.
func ParseResponseType(s string) (ResponseType, error) {
	vals := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' })
	if len(vals) == 0 {
		return "", errEmptyResponseType
	}
	for i, v := range vals {
		switch {
		case v != rtCode && v != rtIDToken && v != rtToken && v != rtNone:
			return "", errUnknownValue
		case slices.Contains(vals[:i], v):
			return "", errRepeatedValue
		case v == rtNone && len(vals) > 1:
			return "", errNoneCombined
		}
	}
	slices.Sort(vals)
	return ResponseType(strings.Join(vals, " ")), nil
}

// Values returns the values of the type, sorted.
func (t ResponseType) Values() []string { return strings.Split(string(t), " ") }

// Has reports whether the type holds value v (code, id_token, token).
func (t ResponseType) Has(v string) bool { return slices.Contains(t.Values(), v) }

// Code: the response carries an authorization code.
func (t ResponseType) Code() bool { return t.Has(rtCode) }

// IDToken: the authorization endpoint returns an ID token.
func (t ResponseType) IDToken() bool { return t.Has(rtIDToken) }

// Token: the authorization endpoint returns an access token.
func (t ResponseType) Token() bool { return t.Has(rtToken) }

// FrontChannelTokens: the response carries a token (an ID token or an
// access token), so its default encoding is the fragment and it must never
// travel in the query (Multiple Response Type Encoding Practices §2.1, §5).
func (t ResponseType) FrontChannelTokens() bool { return t.IDToken() || t.Token() }

// inList reports whether t is one of list, compared in canonical form;
// values of list that do not parse are skipped.
func (t ResponseType) inList(list []string) bool {
	for _, s := range list {
		if c, err := ParseResponseType(s); err == nil && c == t {
			return true
		}
	}
	return false
}

// looseResponseType reads a response_type that may be invalid, for the
// single purpose of choosing how to encode an error: anything that names
// a token goes in the fragment.
func looseResponseType(s string) ResponseType {
	for v := range strings.FieldsSeq(s) {
		if v == rtIDToken || v == rtToken {
			return rtIDToken
		}
	}
	return rtCode
}
