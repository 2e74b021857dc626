package ldapstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Names of an authorization entry, as the 1.15 schema has them (file
// oauth-authz), and Gatehouse's auxiliary class for the version.
const (
	attrAuthzSubject  = "authzSubject"
	attrAuthzClientID = "authzClientID"
	attrAuthzScope    = "authzScopeValue"
	attrAuthzClaim    = "oidcClaimName"
	attrAuthzIssued   = "authzIssueDate"
	attrAuthzUpdated  = "authzUpdateDate"
	attrAuthzIssuer   = "authzIssuer"
	// attrAuthzData holds Authorization.Data as one JSON object.
	attrAuthzData = "authzData"
	// The refresh token of the authorization: the hash of the current
	// one, when its family began, and how long it may live.
	attrAuthzRefreshToken    = "authzRefreshToken"
	attrAuthzRefreshIssued   = "authzRefreshTokenIssueDate"
	attrAuthzRefreshLifetime = "authzRefreshTokenLifetime"

	// dataRotatedRefresh is the key of authzData that holds
	// Authorization.RotatedRefreshHashes: the schema has no multi-valued
	// attribute for them, and they are found through the entry, never
	// searched for.
	dataRotatedRefresh = "rotated_refresh"

	classGatehouseAuthz = "gatehouseAuthz"
)

// authzClasses are the object classes of entries Gatehouse creates.
// oidcAuthz is a subclass of oauth2Authz and is written always, whether or
// not the authorization holds claims: an entry then never changes its
// structural class, and a later grant of claims needs no objectClass
// change. Entries of other servers with oauth2Authz alone are read as
// they are.
var authzClasses = []string{"oauth2Authz", "oidcAuthz", classGatehouseAuthz}

// authzOwned are the attributes Authorizations reads and writes, in lower
// case. Everything else in an entry (saved scopes,
// audiences of other servers) is left as it is by updates.
var authzOwned = func() map[string]bool {
	owned := make(map[string]bool)
	for _, a := range []string{attrAuthzSubject, attrAuthzClientID, attrAuthzScope, attrAuthzClaim,
		attrAuthzIssued, attrAuthzUpdated, attrAuthzIssuer, attrAuthzData,
		attrAuthzRefreshToken, attrAuthzRefreshIssued, attrAuthzRefreshLifetime} {
		owned[strings.ToLower(a)] = true
	}
	return owned
}()

// readAuthzEntry sorts an entry's attributes as far as Authorizations
// cares. Attributes with options are not Gatehouse's and are left out.
func readAuthzEntry(e *ldap.Entry) entryState {
	st := entryState{dn: e.DN, attrs: make(map[string]attrValue)}
	for _, a := range e.Attributes {
		base, _, hasOpt := strings.Cut(a.Name, ";")
		lbase := strings.ToLower(base)
		switch {
		case hasOpt:
		case lbase == lowerObjectClass:
			st.classes = append(st.classes, a.Values...)
		case lbase == lowerVersion:
			st.versions = append(st.versions, a.Values...)
		case authzOwned[lbase]:
			av := st.attrs[lbase]
			av.desc, av.base, av.values = a.Name, lbase, append(av.values, a.Values...)
			st.attrs[lbase] = av
		}
	}
	return st
}

// decodeAuthz reads an authorization out of an entry. A value that cannot
// be read fails it with a MalformedEntryError naming the attribute.
func decodeAuthz(st entryState) (oauth.Authorization, error) {
	var a oauth.Authorization
	var err error
	get := func(attr string) ([]string, bool) {
		v, ok := st.attrs[strings.ToLower(attr)]
		return v.values, ok
	}
	bad := func(attr string, cause error) error {
		if v, ok := st.attrs[strings.ToLower(attr)]; ok {
			attr = v.desc
		}
		return malformed(st, attr, cause)
	}
	for _, key := range []struct {
		attr string
		dst  *string
	}{{attrAuthzSubject, &a.Subject}, {attrAuthzClientID, &a.ClientID}} {
		values, _ := get(key.attr)
		if *key.dst, err = single(values); err != nil || *key.dst == "" {
			return oauth.Authorization{}, bad(key.attr, errors.New("missing or not single-valued"))
		}
	}
	if values, ok := get(attrAuthzScope); ok {
		a.Scopes = slices.Clone(values)
	}
	if values, ok := get(attrAuthzClaim); ok {
		a.Claims = slices.Clone(values)
	}
	for _, stamp := range []struct {
		attr string
		dst  *time.Time
	}{{attrAuthzIssued, &a.IssuedAt}, {attrAuthzUpdated, &a.UpdatedAt}, {attrAuthzRefreshIssued, &a.RefreshTokenIssuedAt}} {
		if values, ok := get(stamp.attr); ok {
			if *stamp.dst, err = parseGeneralizedTime(values); err != nil {
				return oauth.Authorization{}, bad(stamp.attr, err)
			}
		}
	}
	if values, ok := get(attrAuthzIssuer); ok {
		if a.Issuer, err = single(values); err != nil {
			return oauth.Authorization{}, bad(attrAuthzIssuer, err)
		}
	}
	if values, ok := get(attrAuthzData); ok {
		if a.Data, a.RotatedRefreshHashes, err = decodeAuthzData(values); err != nil {
			return oauth.Authorization{}, bad(attrAuthzData, err)
		}
	}
	if values, ok := get(attrAuthzRefreshToken); ok {
		if a.RefreshTokenHash, err = single(values); err != nil {
			return oauth.Authorization{}, bad(attrAuthzRefreshToken, err)
		}
	}
	if values, ok := get(attrAuthzRefreshLifetime); ok {
		if a.RefreshTokenLifetime, err = parseSeconds(values); err != nil {
			return oauth.Authorization{}, bad(attrAuthzRefreshLifetime, err)
		}
	}
	a.Version = strings.Join(st.versions, " ")
	return a, nil
}

// parseGeneralizedTime reads a GeneralizedTime with seconds, in any form
// RFC 4517 §3.3.13 allows: "Z" or an offset, with or without a fraction.
func parseGeneralizedTime(values []string) (time.Time, error) {
	v, err := single(values)
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse("20060102150405Z0700", v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a GeneralizedTime", v)
	}
	return t.UTC(), nil
}

// decodeAuthzData reads authzData, taking the rotated refresh token
// hashes out of it. Data that held nothing else reads as nil.
func decodeAuthzData(values []string) (map[string]any, []string, error) {
	v, err := single(values)
	if err != nil {
		return nil, nil, err
	}
	if !isJSONObject([]byte(v)) {
		return nil, nil, errors.New("not a JSON object")
	}
	var data map[string]any
	if err := json.Unmarshal([]byte(v), &data); err != nil {
		return nil, nil, err
	}
	raw, ok := data[dataRotatedRefresh]
	if !ok {
		return data, nil, nil
	}
	delete(data, dataRotatedRefresh)
	list, _ := raw.([]any)
	rotated := make([]string, 0, len(list))
	for _, item := range list {
		h, ok := item.(string)
		if !ok || h == "" {
			return nil, nil, fmt.Errorf("%s: not a list of strings", dataRotatedRefresh)
		}
		rotated = append(rotated, h)
	}
	if raw != nil && list == nil {
		return nil, nil, fmt.Errorf("%s: not a list of strings", dataRotatedRefresh)
	}
	if len(data) == 0 {
		data = nil
	}
	if len(rotated) == 0 {
		rotated = nil
	}
	return data, rotated, nil
}

// encodeAuthzData is authzData for Data and the rotated refresh token
// hashes; ok is false when there is nothing to write.
func encodeAuthzData(a oauth.Authorization) (string, bool, error) {
	if _, taken := a.Data[dataRotatedRefresh]; taken {
		return "", false, fmt.Errorf("the key %q is reserved for RotatedRefreshHashes", dataRotatedRefresh)
	}
	if err := checkValues(a.RotatedRefreshHashes); err != nil {
		return "", false, fmt.Errorf("rotated refresh token hashes: %w", err)
	}
	if a.Data == nil && len(a.RotatedRefreshHashes) == 0 {
		return "", false, nil
	}
	data := a.Data
	if len(a.RotatedRefreshHashes) > 0 {
		data = make(map[string]any, len(a.Data)+1)
		for k, v := range a.Data {
			data[k] = v
		}
		data[dataRotatedRefresh] = a.RotatedRefreshHashes
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return "", false, err
	}
	return string(raw), true, nil
}

// parseSeconds reads a non-negative INTEGER of seconds.
func parseSeconds(values []string) (time.Duration, error) {
	v, err := single(values)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > int64(math.MaxInt64/time.Second) {
		return 0, fmt.Errorf("%q is not a number of seconds", v)
	}
	return time.Duration(n) * time.Second, nil
}

// encodeAuthz returns the attributes that hold a, objectClass and
// gatehouseVersion aside. It refuses what the directory would refuse or
// could not give back as it was: an empty or repeated scope or claim, a
// time outside the years GeneralizedTime can hold, Data that is not JSON.
// An empty list is written as no values and read back as nil.
func encodeAuthz(a oauth.Authorization) ([]attrValue, error) {
	out := []attrValue{
		authzAttr(attrAuthzSubject, a.Subject),
		authzAttr(attrAuthzClientID, a.ClientID),
	}
	for _, list := range []struct {
		attr   string
		values []string
	}{{attrAuthzScope, a.Scopes}, {attrAuthzClaim, a.Claims}} {
		if err := checkValues(list.values); err != nil {
			return nil, fmt.Errorf("%s: %w", list.attr, err)
		}
		if len(list.values) > 0 {
			out = append(out, authzAttr(list.attr, slices.Clone(list.values)...))
		}
	}
	for _, stamp := range []struct {
		attr string
		t    time.Time
	}{{attrAuthzIssued, a.IssuedAt}, {attrAuthzUpdated, a.UpdatedAt}, {attrAuthzRefreshIssued, a.RefreshTokenIssuedAt}} {
		if stamp.t.IsZero() {
			continue
		}
		if y := stamp.t.UTC().Year(); y < 1 || y > 9999 {
			return nil, fmt.Errorf("%s: year %d cannot be stored", stamp.attr, y)
		}
		out = append(out, authzAttr(stamp.attr, formatGeneralizedTime(stamp.t)))
	}
	if a.Issuer != "" {
		out = append(out, authzAttr(attrAuthzIssuer, a.Issuer))
	}
	raw, ok, err := encodeAuthzData(a)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", attrAuthzData, err)
	}
	if ok {
		out = append(out, authzAttr(attrAuthzData, raw))
	}
	if a.RefreshTokenHash != "" {
		out = append(out, authzAttr(attrAuthzRefreshToken, a.RefreshTokenHash))
	}
	switch lt := a.RefreshTokenLifetime; {
	case lt < 0 || lt%time.Second != 0:
		return nil, fmt.Errorf("%s: %v is not a whole, non-negative number of seconds", attrAuthzRefreshLifetime, lt)
	case lt > 0 || a.RefreshTokenHash != "":
		// Written beside a token even when 0, so that the value of an
		// entry another server wrote survives Gatehouse's updates.
		out = append(out, authzAttr(attrAuthzRefreshLifetime, strconv.FormatInt(int64(lt/time.Second), 10)))
	}
	return out, nil
}

func authzAttr(name string, values ...string) attrValue {
	return attrValue{desc: name, base: strings.ToLower(name), values: values}
}

// checkValues refuses what a multi-valued attribute cannot hold.
func checkValues(values []string) error {
	for i, v := range values {
		if v == "" {
			return errors.New("empty value")
		}
		if slices.Contains(values[:i], v) {
			return fmt.Errorf("value %q given twice", v)
		}
	}
	return nil
}
