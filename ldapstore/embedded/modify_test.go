package embedded_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

// modTarget adds a fresh entry for one modify case and returns its DN.
func modTarget(t *testing.T, conn *ldap.Conn, i int) string {
	t.Helper()
	cn := fmt.Sprintf("mod-%d", i)
	dn := "cn=" + cn + "," + people
	err := conn.Add(addRequest(dn, attrs{
		"objectClass":             {"person"},
		"cn":                      {cn},
		"sn":                      {"Smith"},
		"description":             {"one", "two"},
		"oauthRedirectURI":        {"https://x.example/CB"},
		"oauthClientName;lang-de": {"Laden"},
		"employeeNumber":          {"5"},
	}))
	if err != nil {
		t.Fatal(err)
	}
	return dn
}

func TestModify(t *testing.T) {
	srv := startServer(t)
	root := admin(t, srv)
	unchanged := attrs{"description": {"one", "two"}}
	tests := []struct {
		name   string
		change func(r *ldap.ModifyRequest, cn string)
		want   uint16
		after  attrs // expected values; an empty list means absent
	}{
		{"add a value", func(r *ldap.ModifyRequest, _ string) { r.Add("description", []string{"three"}) },
			ldap.LDAPResultSuccess, attrs{"description": {"one", "two", "three"}}},
		{"add an existing value", func(r *ldap.ModifyRequest, _ string) { r.Add("description", []string{"two"}) },
			ldap.LDAPResultAttributeOrValueExists, unchanged},
		{"add an existing value in other case", func(r *ldap.ModifyRequest, _ string) { r.Add("DESCRIPTION", []string{"TWO"}) },
			ldap.LDAPResultAttributeOrValueExists, unchanged},
		{"add a URI differing in case", func(r *ldap.ModifyRequest, _ string) { r.Add("oauthRedirectURI", []string{"https://x.example/cb"}) },
			ldap.LDAPResultSuccess, attrs{"oauthRedirectURI": {"https://x.example/CB", "https://x.example/cb"}}},
		{"add the same value twice", func(r *ldap.ModifyRequest, _ string) { r.Add("mail", []string{"a@x", "A@x"}) },
			ldap.LDAPResultAttributeOrValueExists, attrs{"mail": {}}},
		{"add a new attribute", func(r *ldap.ModifyRequest, _ string) { r.Add("mail", []string{"a@x"}) },
			ldap.LDAPResultSuccess, attrs{"mail": {"a@x"}}},
		{"delete a value", func(r *ldap.ModifyRequest, _ string) { r.Delete("description", []string{"one"}) },
			ldap.LDAPResultSuccess, attrs{"description": {"two"}}},
		{"delete a value ignoring case", func(r *ldap.ModifyRequest, _ string) { r.Delete("description", []string{"ONE"}) },
			ldap.LDAPResultSuccess, attrs{"description": {"two"}}},
		{"delete a missing value", func(r *ldap.ModifyRequest, _ string) { r.Delete("description", []string{"three"}) },
			ldap.LDAPResultNoSuchAttribute, unchanged},
		{"delete a URI in the wrong case", func(r *ldap.ModifyRequest, _ string) { r.Delete("oauthRedirectURI", []string{"https://x.example/cb"}) },
			ldap.LDAPResultNoSuchAttribute, attrs{"oauthRedirectURI": {"https://x.example/CB"}}},
		{"delete every value", func(r *ldap.ModifyRequest, _ string) { r.Delete("description", []string{"one", "two"}) },
			ldap.LDAPResultSuccess, attrs{"description": {}}},
		{"delete the attribute", func(r *ldap.ModifyRequest, _ string) { r.Delete("description", nil) },
			ldap.LDAPResultSuccess, attrs{"description": {}}},
		{"delete an absent attribute", func(r *ldap.ModifyRequest, _ string) { r.Delete("mail", nil) },
			ldap.LDAPResultNoSuchAttribute, unchanged},
		{"delete a type that only exists with options", func(r *ldap.ModifyRequest, _ string) { r.Delete("oauthClientName", nil) },
			ldap.LDAPResultNoSuchAttribute, attrs{"oauthClientName;lang-de": {"Laden"}}},
		{"delete with options in other case", func(r *ldap.ModifyRequest, _ string) { r.Delete("oauthClientName;LANG-DE", nil) },
			ldap.LDAPResultSuccess, attrs{"oauthClientName;lang-de": {}}},
		{"replace", func(r *ldap.ModifyRequest, _ string) { r.Replace("description", []string{"new"}) },
			ldap.LDAPResultSuccess, attrs{"description": {"new"}}},
		{"replace with long and non-ASCII values", func(r *ldap.ModifyRequest, _ string) {
			r.Replace("description", []string{strings.Repeat("ü", 300), "line one\nline two", ""})
		}, ldap.LDAPResultSuccess, attrs{"description": {strings.Repeat("ü", 300), "line one\nline two", ""}}},
		{"replace with nothing removes", func(r *ldap.ModifyRequest, _ string) { r.Replace("description", nil) },
			ldap.LDAPResultSuccess, attrs{"description": {}}},
		{"replace an absent attribute with nothing", func(r *ldap.ModifyRequest, _ string) { r.Replace("mail", nil) },
			ldap.LDAPResultSuccess, attrs{"mail": {}}},
		{"replace creates", func(r *ldap.ModifyRequest, _ string) { r.Replace("mail", []string{"a@x"}) },
			ldap.LDAPResultSuccess, attrs{"mail": {"a@x"}}},
		{"replace the RDN value away", func(r *ldap.ModifyRequest, _ string) { r.Replace("cn", []string{"other"}) },
			ldap.LDAPResultNotAllowedOnRDN, unchanged},
		{"delete the RDN value", func(r *ldap.ModifyRequest, cn string) { r.Delete("cn", []string{cn}) },
			ldap.LDAPResultNotAllowedOnRDN, unchanged},
		{"delete the RDN attribute", func(r *ldap.ModifyRequest, _ string) { r.Delete("cn", nil) },
			ldap.LDAPResultNotAllowedOnRDN, unchanged},
		{"add a second value to the RDN attribute", func(r *ldap.ModifyRequest, _ string) { r.Add("cn", []string{"alias"}) },
			ldap.LDAPResultSuccess, nil},
		{"replace keeping the RDN value", func(r *ldap.ModifyRequest, cn string) { r.Replace("cn", []string{"alias", cn}) },
			ldap.LDAPResultSuccess, nil},
		{"remove every objectClass", func(r *ldap.ModifyRequest, _ string) { r.Delete("objectClass", nil) },
			ldap.LDAPResultObjectClassViolation, attrs{"objectClass": {"person"}}},
		{"write an operational attribute", func(r *ldap.ModifyRequest, _ string) { r.Replace("modifyTimestamp", []string{"20200101000000Z"}) },
			ldap.LDAPResultConstraintViolation, nil},
		{"change entryUUID", func(r *ldap.ModifyRequest, _ string) {
			r.Replace("entryUUID", []string{"0b8a3f5e-2c1d-4e6f-8a9b-1c2d3e4f5a6b"})
		},
			ldap.LDAPResultConstraintViolation, nil},
		{"malformed attribute name", func(r *ldap.ModifyRequest, _ string) { r.Add("no good", []string{"x"}) },
			ldap.LDAPResultUndefinedAttributeType, nil},
		{"increment", func(r *ldap.ModifyRequest, _ string) { r.Increment("employeeNumber", "2") },
			ldap.LDAPResultSuccess, attrs{"employeeNumber": {"7"}}},
		{"all or nothing", func(r *ldap.ModifyRequest, _ string) {
			r.Add("description", []string{"three"})
			r.Replace("mail", []string{"a@x"})
			r.Delete("description", []string{"missing"})
		}, ldap.LDAPResultNoSuchAttribute, attrs{"description": {"one", "two"}, "mail": {}}},
		{"later changes see earlier ones", func(r *ldap.ModifyRequest, _ string) {
			r.Add("description", []string{"three"})
			r.Delete("description", []string{"three", "one"})
		}, ldap.LDAPResultSuccess, attrs{"description": {"two"}}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dn := modTarget(t, root, i)
			req := ldap.NewModifyRequest(dn, nil)
			tc.change(req, fmt.Sprintf("mod-%d", i))
			checkCode(t, root.Modify(req), tc.want)
			e := lookup(t, root, dn)
			for name, want := range tc.after {
				if got := e.GetAttributeValues(name); !slices.Equal(got, want) {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestModifyMissingEntry(t *testing.T) {
	srv := startServer(t)
	req := ldap.NewModifyRequest("uid=nobody,"+people, nil)
	req.Replace("description", []string{"x"})
	err := admin(t, srv).Modify(req)
	checkCode(t, err, ldap.LDAPResultNoSuchObject)
	var lerr *ldap.Error
	if errors.As(err, &lerr) && lerr.MatchedDN != people {
		t.Errorf("matchedDN = %q", lerr.MatchedDN)
	}
}

func TestModifyRecordsModifier(t *testing.T) {
	srv := startServer(t)
	root := admin(t, srv)
	req := ldap.NewModifyRequest(aliceDN, nil)
	req.Replace("mail", []string{"alice@example.net"})
	if err := root.Modify(req); err != nil {
		t.Fatal(err)
	}
	if got := lookup(t, root, aliceDN, "modifiersName").GetAttributeValue("modifiersName"); got != adminDN {
		t.Errorf("modifiersName = %q", got)
	}
}

// TestCompareAndSwap is the pattern stores build optimistic updates on:
// read the version, then in one Modify delete that version value and add
// the next. Of two writers that read the same version, one wins and the
// other gets noSuchAttribute, leaving the winner's change in place.
func TestCompareAndSwap(t *testing.T) {
	srv := startServer(t)
	setup := admin(t, srv)
	dn := "cn=versioned," + people
	if err := setup.Add(addRequest(dn, attrs{"objectClass": {"person"}, "cn": {"versioned"}, "sn": {"v"}, "description": {"v1"}})); err != nil {
		t.Fatal(err)
	}
	swap := func(conn *ldap.Conn, from, to string) error {
		req := ldap.NewModifyRequest(dn, nil)
		req.Delete("description", []string{from})
		req.Add("description", []string{to})
		req.Replace("sn", []string{"written by " + to})
		return conn.Modify(req)
	}
	first, second := admin(t, srv), admin(t, srv)
	checkCode(t, swap(first, "v1", "v2-first"), ldap.LDAPResultSuccess)
	checkCode(t, swap(second, "v1", "v2-second"), ldap.LDAPResultNoSuchAttribute)

	e := lookup(t, setup, dn, "description", "sn")
	if got := e.GetAttributeValues("description"); !slices.Equal(got, []string{"v2-first"}) {
		t.Errorf("version = %q", got)
	}
	if got := e.GetAttributeValue("sn"); got != "written by v2-first" {
		t.Errorf("sn = %q: the losing writer's change leaked", got)
	}
}
