package schema

import (
	"strings"
	"testing"
)

// standardAttributes are the attributes of the standard schemas that the
// shipped classes use.
var standardAttributes = map[string]bool{"mail": true}

func TestDefinitionsAreConsistent(t *testing.T) {
	oids := map[string]string{}
	attrs := map[string]AttributeType{}
	classes := map[string]ObjectClass{"top": {}}
	claim := func(oid, name string) {
		t.Helper()
		if !strings.HasPrefix(oid, Arc+".") {
			t.Errorf("%s: OID %s is not under %s", name, oid, Arc)
		}
		if other, dup := oids[oid]; dup {
			t.Errorf("%s and %s share the OID %s", name, other, oid)
		}
		oids[oid] = name
	}
	for _, s := range Sets() {
		for _, a := range s.Attributes {
			claim(a.OID, a.Name())
			key := strings.ToLower(a.Name())
			if _, dup := attrs[key]; dup {
				t.Errorf("attribute %s is defined twice", a.Name())
			}
			attrs[key] = a
			checkDesc(t, a.Name(), a.Desc)
			if a.Equality == "" || a.Syntax == "" {
				t.Errorf("%s: no equality rule or syntax", a.Name())
			}
		}
		for _, c := range s.Classes {
			claim(c.OID, c.Name())
			checkDesc(t, c.Name(), c.Desc)
			for _, sup := range c.Sup {
				if _, ok := classes[strings.ToLower(sup)]; !ok {
					t.Errorf("%s: superclass %s is not defined before it", c.Name(), sup)
				}
			}
			for _, m := range append(append([]string(nil), c.Must...), c.May...) {
				if _, ok := attrs[strings.ToLower(m)]; !ok && !standardAttributes[m] {
					t.Errorf("%s: member %s is not defined in its set or before", c.Name(), m)
				}
			}
			classes[strings.ToLower(c.Name())] = c
		}
	}
}

func checkDesc(t *testing.T, name, desc string) {
	t.Helper()
	// Kept to printable ASCII without quotes, backslashes or parentheses:
	// some servers' schema parsers are not as careful as RFC 4512.
	for _, r := range desc {
		if r < ' ' || r > '~' || strings.ContainsRune(`'\()`, r) {
			t.Errorf("%s: DESC %q has the character %q", name, desc, r)
		}
	}
}

// TestContractNames pins the names and shape the stores rely on.
func TestContractNames(t *testing.T) {
	attrs := map[string]AttributeType{}
	classes := map[string]ObjectClass{}
	for _, s := range Sets() {
		for _, a := range s.Attributes {
			attrs[a.Name()] = a
		}
		for _, c := range s.Classes {
			classes[c.Name()] = c
		}
	}
	multi := map[string]bool{
		"oauthRedirectURI": true, "oauthScopeValue": true, "oauthGrantType": true,
		"oauthResponseType": true, "oidcRequestURI": true, "oidcPostLogoutRedirectURI": true,
		"oidcDefaultACR": true, "authzScopeValue": true, "authzSavedScopeValue": true,
		"authzAudience": true, "oidcClaimName": true, "oidcSavedClaimName": true,
		"gatehouseAuthnRecoveryCode": true,
	}
	for name, a := range attrs {
		if a.SingleValue == multi[name] {
			t.Errorf("%s: SINGLE-VALUE = %v", name, a.SingleValue)
		}
	}
	syntaxes := map[string]string{
		"oauthClientID": SyntaxDirectoryString, "oauthClientSecretExp": SyntaxGeneralizedTime,
		"oauthRedirectURI": SyntaxIA5String, "oauthTLSClientAuthSubjectDN": SyntaxDirectoryString,
		"oauthRequirePAR": SyntaxBoolean, "oidcDefaultMaxAge": SyntaxInteger,
		"oidcRequireAuthTime": SyntaxBoolean, "gatehouseVersion": SyntaxDirectoryString,
		"gatehousePreviousClientSecretExp": SyntaxGeneralizedTime,
	}
	for name, syntax := range syntaxes {
		if attrs[name].Syntax != syntax {
			t.Errorf("%s: syntax %s, want %s", name, attrs[name].Syntax, syntax)
		}
	}
	if got := attrs["oauthClientID"]; got.Equality != "caseExactMatch" || got.Substr == "" {
		t.Errorf("oauthClientID: %s", got)
	}

	tests := []struct {
		class string
		sup   string
		kind  ClassKind
		must  []string
		may   []string
	}{
		{class: "oauthClientIdentity", sup: "top", kind: Structural, must: []string{"oauthClientID"}},
		{class: "oauthClientMetadata", sup: "oauthClientIdentity", kind: Structural,
			may: []string{"oauthRedirectURI", "mail", "oauthTLSClientAuthSubjectDN", "oauthAuthorizationResponseJWEEnc", "oauthRequirePAR"}},
		{class: "oidcRelyingParty", sup: "oauthClientMetadata", kind: Structural,
			may: []string{"oidcIDTokenJWSAlg", "oidcBackChannelLogoutSessionRequired"}},
		{class: "oauth2Authz", sup: "top", kind: Structural, must: []string{"authzSubject", "authzClientID"},
			may: []string{"authzRefreshToken", "authzLastAccessDate"}},
		{class: "oidcAuthz", sup: "oauth2Authz", kind: Structural, may: []string{"oidcClaimName", "oidcSessionID"}},
		{class: "gatehouseClient", sup: "top", kind: Auxiliary, may: []string{"gatehouseVersion",
			"gatehousePreviousClientSecret", "gatehousePreviousClientSecretExp", "gatehouseRegistrationTokenHash"}},
		{class: "gatehouseAuthz", sup: "top", kind: Auxiliary, may: []string{"gatehouseVersion"}},
		{class: "gatehouseKeyStore", sup: "top", kind: Auxiliary, may: []string{"gatehouseKeySet"}},
	}
	for _, tc := range tests {
		t.Run(tc.class, func(t *testing.T) {
			c, ok := classes[tc.class]
			if !ok {
				t.Fatal("not defined")
			}
			if len(c.Sup) != 1 || c.Sup[0] != tc.sup || c.Kind != tc.kind {
				t.Errorf("SUP %v %s, want %s %s", c.Sup, c.Kind, tc.sup, tc.kind)
			}
			if strings.Join(c.Must, ",") != strings.Join(tc.must, ",") {
				t.Errorf("MUST %v, want %v", c.Must, tc.must)
			}
			for _, m := range tc.may {
				if !contains(c.May, m) {
					t.Errorf("MAY lacks %s", m)
				}
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestSetsAreFresh(t *testing.T) {
	a := Sets()
	a[0].Attributes[0].Names[0] = "changed"
	a[0].Classes[0].May[0] = "changed"
	if b := Sets(); b[0].Attributes[0].Name() == "changed" || b[0].Classes[0].May[0] == "changed" {
		t.Error("a change to one result of Sets shows in the next")
	}
}
