package ldapstore_test

import (
	"reflect"
	"testing"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
)

func TestProfileDefaults(t *testing.T) {
	openldap := ldapstore.UsersConfig{
		BaseDN:           "ou=people,dc=example,dc=org",
		Filter:           "(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username})))",
		SubjectAttribute: "entryUUID",
		Claims: map[string]string{"preferred_username": "uid", "name": "cn", "given_name": "givenName",
			"family_name": "sn", "email": "mail"},
		Groups: ldapstore.GroupsConfig{BaseDN: "ou=groups,dc=example,dc=org", Filter: "(member={dn})",
			NameAttribute: "cn", Claim: "groups"},
	}
	ad := ldapstore.UsersConfig{
		Filter: "(&(objectCategory=person)(objectClass=user)(!(userAccountControl:1.2.840.113556.1.4.803:=2))" +
			"(|(sAMAccountName={username})(userPrincipalName={username})(mail={username})))",
		SubjectAttribute: "objectGUID",
		SubjectEncoding:  "guid",
		Claims: map[string]string{"preferred_username": "sAMAccountName", "name": "displayName",
			"given_name": "givenName", "family_name": "sn", "email": "mail"},
		Groups:         ldapstore.GroupsConfig{Filter: "(member:1.2.840.113556.1.4.1941:={dn})", NameAttribute: "cn", Claim: "groups"},
		PasswordChange: "unicodePwd",
	}
	tests := []struct {
		profile string
		want    ldapstore.UsersConfig
		wantErr bool
	}{
		{profile: "", want: openldap},
		{profile: "openldap", want: openldap},
		{profile: "activedirectory", want: ad},
		{profile: "ActiveDirectory", wantErr: true},
		{profile: "ad", wantErr: true},
		{profile: "opendj", wantErr: true},
	}
	pool, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: []string{"ldap://127.0.0.1:1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	for _, tc := range tests {
		t.Run(tc.profile, func(t *testing.T) {
			got, err := ldapstore.ProfileDefaults(tc.profile)
			if (err != nil) != tc.wantErr || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ProfileDefaults(%q) = %+v, %v; want %+v", tc.profile, got, err, tc.want)
			}
			if tc.wantErr {
				return
			}
			if got.BaseDN == "" { // AD: every domain names its own
				got.BaseDN, got.Groups.BaseDN = "DC=example,DC=test", "DC=example,DC=test"
			}
			u, err := ldapstore.NewUsers(pool, got)
			if err != nil {
				t.Fatalf("NewUsers refuses the profile's defaults: %v", err)
			}
			u.Close()
		})
	}
}

// The settings for Active Directory are checked like the others.
func TestNewUsersChecksDirectorySettings(t *testing.T) {
	pool, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: []string{"ldap://127.0.0.1:1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	tests := []struct {
		name   string
		change func(c *ldapstore.UsersConfig)
		ok     bool
	}{
		{"guid encoding", func(c *ldapstore.UsersConfig) { c.SubjectEncoding = "guid" }, true},
		{"unknown encoding", func(c *ldapstore.UsersConfig) { c.SubjectEncoding = "base64" }, false},
		{"walk", func(c *ldapstore.UsersConfig) { c.Groups.Nested = "walk" }, true},
		{"unknown nesting", func(c *ldapstore.UsersConfig) { c.Groups.Nested = "recursive" }, false},
		{"deepest walk", func(c *ldapstore.UsersConfig) { c.Groups.Nested, c.Groups.MaxDepth = "walk", 64 }, true},
		{"too deep a walk", func(c *ldapstore.UsersConfig) { c.Groups.Nested, c.Groups.MaxDepth = "walk", 65 }, false},
		{"negative depth", func(c *ldapstore.UsersConfig) { c.Groups.Nested, c.Groups.MaxDepth = "walk", -1 }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ldapstore.ProfileDefaults(ldapstore.ProfileOpenLDAP)
			if err != nil {
				t.Fatal(err)
			}
			tc.change(&cfg)
			u, err := ldapstore.NewUsers(pool, cfg)
			if (err == nil) != tc.ok {
				t.Fatalf("NewUsers: %v, want ok=%v", err, tc.ok)
			}
			if u != nil {
				u.Close()
			}
		})
	}
}
