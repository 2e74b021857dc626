package ldapstore

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// The attributes and class of an authenticator entry (schema/defs_authn.go).
const (
	classAuthenticator    = "gatehouseAuthenticator"
	attrAuthnID           = "gatehouseAuthnID"
	attrAuthnSubject      = "gatehouseAuthnSubject"
	attrAuthnType         = "gatehouseAuthnType"
	attrAuthnName         = "gatehouseAuthnName"
	attrAuthnSecret       = "gatehouseAuthnSecret"
	attrAuthnRecoveryCode = "gatehouseAuthnRecoveryCode"
	attrAuthnCredentialID = "gatehouseAuthnCredentialID"
	attrAuthnPublicKey    = "gatehouseAuthnPublicKey"
	attrAuthnSignCount    = "gatehouseAuthnSignCount"
	attrAuthnData         = "gatehouseAuthnData"
	attrAuthnCreated      = "gatehouseAuthnCreated"
	attrAuthnLastUsed     = "gatehouseAuthnLastUsed"
)

var b64 = base64.RawURLEncoding

func mapKeys[V any](m map[string]V) iter.Seq[string] { return maps.Keys(m) }

// encodeAuthenticator lists the attributes of an authenticator; empty
// fields have none.
func encodeAuthenticator(a oauth.Authenticator) (map[string][]string, error) {
	out := map[string][]string{
		attrAuthnID: {a.ID}, attrAuthnSubject: {a.Subject}, attrAuthnType: {a.Kind},
	}
	set := func(name, v string) {
		if v != "" {
			out[name] = []string{v}
		}
	}
	set(attrAuthnName, a.Name)
	set(attrAuthnSecret, a.Secret)
	if len(a.RecoveryCodes) > 0 {
		out[attrAuthnRecoveryCode] = slices.Clone(a.RecoveryCodes)
	}
	if len(a.CredentialID) > 0 {
		set(attrAuthnCredentialID, b64.EncodeToString(a.CredentialID))
	}
	if len(a.PublicKey) > 0 {
		set(attrAuthnPublicKey, b64.EncodeToString(a.PublicKey))
	}
	if a.SignCount > 0 {
		set(attrAuthnSignCount, strconv.FormatUint(uint64(a.SignCount), 10))
	}
	if !a.Created.IsZero() {
		set(attrAuthnCreated, formatGeneralizedTime(a.Created))
	}
	if !a.LastUsed.IsZero() {
		set(attrAuthnLastUsed, formatGeneralizedTime(a.LastUsed))
	}
	data, err := json.Marshal(a.Data)
	if err != nil {
		return nil, err
	}
	if string(data) != "{}" {
		set(attrAuthnData, string(data))
	}
	for name, values := range out {
		if err := checkValues(values); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return out, nil
}

// decodeAuthenticator reads an entry; a value that cannot be read makes
// the entry malformed.
func decodeAuthenticator(e *ldap.Entry) (oauth.Authenticator, error) {
	get := e.GetEqualFoldAttributeValue
	a := oauth.Authenticator{
		ID: get(attrAuthnID), Subject: get(attrAuthnSubject), Kind: get(attrAuthnType),
		Name: get(attrAuthnName), Secret: get(attrAuthnSecret),
		RecoveryCodes: e.GetEqualFoldAttributeValues(attrAuthnRecoveryCode),
	}
	if len(a.RecoveryCodes) == 0 {
		a.RecoveryCodes = nil
	}
	bad := func(attr string, err error) (oauth.Authenticator, error) {
		return oauth.Authenticator{}, &MalformedEntryError{DN: e.DN, Attribute: attr, Err: err}
	}
	var err error
	if v := get(attrAuthnCredentialID); v != "" {
		if a.CredentialID, err = b64.DecodeString(v); err != nil {
			return bad(attrAuthnCredentialID, err)
		}
	}
	if v := get(attrAuthnPublicKey); v != "" {
		if a.PublicKey, err = b64.DecodeString(v); err != nil {
			return bad(attrAuthnPublicKey, err)
		}
	}
	if v := get(attrAuthnSignCount); v != "" {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return bad(attrAuthnSignCount, err)
		}
		a.SignCount = uint32(n)
	}
	for attr, dst := range map[string]*time.Time{attrAuthnCreated: &a.Created, attrAuthnLastUsed: &a.LastUsed} {
		if vs := e.GetEqualFoldAttributeValues(attr); len(vs) > 0 {
			if *dst, err = parseGeneralizedTime(vs); err != nil {
				return bad(attr, err)
			}
		}
	}
	if v := get(attrAuthnData); v != "" {
		if err := json.Unmarshal([]byte(v), &a.Data); err != nil {
			return bad(attrAuthnData, err)
		}
	}
	if a.ID == "" || a.Subject == "" || a.Kind == "" {
		return bad(attrAuthnType, fmt.Errorf("ID, subject and kind are required"))
	}
	return a, nil
}
