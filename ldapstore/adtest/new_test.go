package adtest_test

import (
	"errors"
	"io/fs"
	"os"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/adtest"
)

// A private DC may be changed at will; this one also shows the person's
// own password change that a directory profile for AD performs.
func TestNewPrivateDCAndPasswordChange(t *testing.T) {
	shared := adtest.Shared(t)
	d := adtest.New(t)
	if d.Addr == shared.Addr || d.Dir == shared.Dir {
		t.Fatalf("private DC shares %s / %s with the shared one", d.Addr, d.Dir)
	}
	bob := adtest.SeededUser(adtest.Bob)
	conn, err := d.DialURL(d.LDAPSURL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if err := conn.Bind(bob.UPN, bob.Password); err != nil {
		t.Fatal(err)
	}
	// AD's change by the person: delete the old value, add the new one.
	req := ldap.NewModifyRequest(d.UserDN(adtest.Bob), nil)
	req.Delete("unicodePwd", []string{adtest.UnicodePwd(bob.Password)})
	req.Add("unicodePwd", []string{adtest.UnicodePwd("new-" + bob.Password)})
	if err := conn.Modify(req); err != nil {
		t.Fatal(err)
	}
	if err := d.Bind(d.URL, bob.UPN, "new-"+bob.Password); err != nil {
		t.Errorf("new password: %v", err)
	}
	if got := adtest.DataCode(d.Bind(d.URL, bob.UPN, bob.Password)); got != adtest.DataWrongPassword {
		t.Errorf("old password: data %q, want %q", got, adtest.DataWrongPassword)
	}
	// The shared DC is untouched.
	if err := shared.Bind(shared.URL, bob.UPN, bob.Password); err != nil {
		t.Errorf("shared DC: %v", err)
	}

	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d.Dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("directory after Close: %v", err)
	}
	if err := d.Bind(d.URL, d.AdminUPN, d.AdminPassword); err == nil {
		t.Error("DC still answers after Close")
	}
}

func TestDataCode(t *testing.T) {
	diag := "80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 775, v1db1"
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"AD bind failure", ldap.NewError(ldap.LDAPResultInvalidCredentials, errors.New(diag)), "775"},
		{"wrapped", errors.Join(errors.New("login"), ldap.NewError(ldap.LDAPResultInvalidCredentials, errors.New(diag))), "775"},
		{"no data", ldap.NewError(ldap.LDAPResultInvalidCredentials, errors.New("invalid credentials")), ""},
		{"not LDAP", errors.New(diag), ""},
		{"nil", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := adtest.DataCode(tc.err); got != tc.want {
				t.Errorf("DataCode = %q, want %q", got, tc.want)
			}
		})
	}
}
