package embedded_test

import (
	"errors"
	"regexp"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/embedded"
)

type attrs map[string][]string

func addRequest(dn string, a attrs) *ldap.AddRequest {
	req := ldap.NewAddRequest(dn, nil)
	for name, values := range a {
		req.Attribute(name, values)
	}
	return req
}

func person(uid string) attrs {
	return attrs{"objectClass": {"inetOrgPerson"}, "uid": {uid}, "cn": {uid}, "sn": {uid}}
}

func TestAdd(t *testing.T) {
	srv := startServer(t)
	root := admin(t, srv)
	tests := []struct {
		name    string
		dn      string
		attrs   attrs
		want    uint16
		matched string
	}{
		{"new leaf", "uid=carol," + people, person("carol"), ldap.LDAPResultSuccess, ""},
		{"existing DN", aliceDN, person("alice"), ldap.LDAPResultEntryAlreadyExists, ""},
		{"existing DN spelled differently", "UID=ALICE,OU=people,dc=Example,dc=org", person("ALICE"), ldap.LDAPResultEntryAlreadyExists, ""},
		{"missing parent", "uid=x,ou=nowhere,dc=example,dc=org", person("x"), ldap.LDAPResultNoSuchObject, suffix},
		{"outside the naming context", "dc=other,dc=com", attrs{"objectClass": {"domain"}, "dc": {"other"}}, ldap.LDAPResultNoSuchObject, ""},
		{"no objectClass", "uid=noclass," + people, attrs{"uid": {"noclass"}}, ldap.LDAPResultObjectClassViolation, ""},
		{"RDN value missing", "uid=dave," + people, person("someone-else"), ldap.LDAPResultNamingViolation, ""},
		{"duplicate values", "uid=dup," + people, attrs{"objectClass": {"person"}, "uid": {"dup"}, "cn": {"x", "X"}, "sn": {"x"}}, ldap.LDAPResultAttributeOrValueExists, ""},
		{"operational attribute", "uid=ts," + people, attrs{"objectClass": {"person"}, "uid": {"ts"}, "createTimestamp": {"20200101000000Z"}}, ldap.LDAPResultConstraintViolation, ""},
		{"malformed entryUUID", "uid=uu," + people, attrs{"objectClass": {"person"}, "uid": {"uu"}, "entryUUID": {"nope"}}, ldap.LDAPResultInvalidAttributeSyntax, ""},
		{"malformed attribute name", "uid=bad," + people, attrs{"objectClass": {"person"}, "uid": {"bad"}, "bad name": {"x"}}, ldap.LDAPResultUndefinedAttributeType, ""},
		{"malformed DN", "uid=x,,dc=org", person("x"), ldap.LDAPResultInvalidDNSyntax, ""},
		{"multi-valued RDN", "authzSubject=alice+authzClientID=app1,ou=people,dc=example,dc=org",
			attrs{"objectClass": {"oauth2Authz"}, "authzSubject": {"alice"}, "authzClientID": {"app1"}}, ldap.LDAPResultSuccess, ""},
		{"multi-valued RDN in another order", "authzClientID=APP1+authzSubject=alice,ou=people,dc=example,dc=org",
			attrs{"objectClass": {"oauth2Authz"}, "authzSubject": {"alice"}, "authzClientID": {"app1"}}, ldap.LDAPResultEntryAlreadyExists, ""},
		{"escaped comma", `cn=Smith\, John,ou=people,dc=example,dc=org`, attrs{"objectClass": {"person"}, "cn": {"Smith, John"}, "sn": {"Smith"}}, ldap.LDAPResultSuccess, ""},
		{"hex-escaped comma is the same DN", `cn=smith\2C john,ou=people,dc=example,dc=org`, attrs{"objectClass": {"person"}, "cn": {"Smith, John"}, "sn": {"Smith"}}, ldap.LDAPResultEntryAlreadyExists, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := root.Add(addRequest(tc.dn, tc.attrs))
			checkCode(t, err, tc.want)
			var lerr *ldap.Error
			if errors.As(err, &lerr) && lerr.MatchedDN != tc.matched {
				t.Errorf("matchedDN = %q, want %q", lerr.MatchedDN, tc.matched)
			}
		})
	}
}

func TestAddMaintainsOperationalAttributes(t *testing.T) {
	srv := startServer(t)
	root := admin(t, srv)
	const given = "0b8a3f5e-2c1d-4e6f-8a9b-1c2d3e4f5a6b"
	if err := root.Add(addRequest("uid=carol,"+people, person("carol"))); err != nil {
		t.Fatal(err)
	}
	withUUID := person("dave")
	withUUID["entryUUID"] = []string{given}
	if err := root.Add(addRequest("uid=dave,"+people, withUUID)); err != nil {
		t.Fatal(err)
	}

	carol := lookup(t, root, "uid=carol,"+people, "+")
	uuidForm := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if got := carol.GetAttributeValue("entryUUID"); !uuidForm.MatchString(got) {
		t.Errorf("generated entryUUID %q", got)
	}
	timeForm := regexp.MustCompile(`^\d{14}Z$`)
	for _, a := range []string{"createTimestamp", "modifyTimestamp"} {
		if got := carol.GetAttributeValue(a); !timeForm.MatchString(got) {
			t.Errorf("%s = %q", a, got)
		}
	}
	if got := carol.GetAttributeValue("creatorsName"); got != adminDN {
		t.Errorf("creatorsName = %q", got)
	}
	if got := lookup(t, root, "uid=dave,"+people, "entryUUID").GetAttributeValue("entryUUID"); got != given {
		t.Errorf("entryUUID = %q, want the one given", got)
	}
	if got := attrNames(lookup(t, root, "uid=carol,"+people)); len(got) != 4 {
		t.Errorf("operational attributes returned without being asked for: %q", got)
	}
}

// TestNewNamingContextOnlyWhenEmpty: a directory started without a seed
// takes its suffix entry like a fresh database; after that every entry
// needs its parent.
func TestNewNamingContextOnlyWhenEmpty(t *testing.T) {
	srv := startServer(t, func(o *embedded.Options) { o.Seed = "" })
	root := admin(t, srv)
	checkCode(t, root.Add(addRequest("dc=example,dc=org", attrs{"objectClass": {"domain"}, "dc": {"example"}})), ldap.LDAPResultSuccess)
	checkCode(t, root.Add(addRequest("dc=other,dc=com", attrs{"objectClass": {"domain"}, "dc": {"other"}})), ldap.LDAPResultNoSuchObject)
	checkCode(t, root.Add(addRequest(people, attrs{"objectClass": {"organizationalUnit"}, "ou": {"people"}})), ldap.LDAPResultSuccess)
}
