package adtest_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/adtest"
)

func TestMain(m *testing.M) { adtest.Main(m) }

func TestAdministratorBinds(t *testing.T) {
	d := adtest.Shared(t)
	tests := []struct {
		name, url, user string
	}{
		{"ldap UPN", d.URL, d.AdminUPN},
		{"ldap DN", d.URL, d.AdminDN},
		{"ldap NetBIOS", d.URL, d.Domain + `\Administrator`},
		{"ldaps UPN", d.LDAPSURL, d.AdminUPN},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := d.Bind(tc.url, tc.user, d.AdminPassword); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSeededUsersBind(t *testing.T) {
	d := adtest.Shared(t)
	tests := []struct {
		name, url, user, password string
	}{
		{"alice by UPN", d.URL, "alice@example.test", adtest.Password(adtest.Alice)},
		{"alice by DN over ldaps", d.LDAPSURL, d.UserDN(adtest.Alice), adtest.Password(adtest.Alice)},
		{"bob by NetBIOS name", d.URL, `EXAMPLE\bob`, adtest.Password(adtest.Bob)},
		{"meta by UPN", d.URL, adtest.MetaUPN, adtest.Password(adtest.Meta)},
		{"meta by NetBIOS name", d.URL, `EXAMPLE\x(y)z`, adtest.Password(adtest.Meta)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := d.Bind(tc.url, tc.user, tc.password); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The point of the rig: each refused login names its reason in the data
// sub-code of result 49, which a directory profile for AD maps.
func TestBindFailureCodes(t *testing.T) {
	d := adtest.Shared(t)
	tests := []struct {
		name, user, password, want string
	}{
		{"wrong password", adtest.Bob, "not-" + adtest.Password(adtest.Bob), adtest.DataWrongPassword},
		{"unknown user", "nobody", "whatever", adtest.DataWrongPassword},
		{"disabled", adtest.Disabled, adtest.Password(adtest.Disabled), adtest.DataDisabled},
		{"locked", adtest.Locked, adtest.Password(adtest.Locked), adtest.DataLocked},
		{"must change", adtest.MustChange, adtest.Password(adtest.MustChange), adtest.DataMustChange},
		{"password expired", adtest.Expired, adtest.Password(adtest.Expired), adtest.DataExpired},
		{"account expired", adtest.AccountExpired, adtest.Password(adtest.AccountExpired), adtest.DataAccountExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := d.Bind(d.URL, tc.user+"@example.test", tc.password)
			if !ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
				t.Fatalf("bind error %v, want result 49", err)
			}
			if got := adtest.DataCode(err); got != tc.want {
				t.Errorf("data %q, want %q (%v)", got, tc.want, err)
			}
		})
	}
}

func TestTLS(t *testing.T) {
	d := adtest.Shared(t)
	wrong := tlsConfigFrom(t, d.WrongCAFile, d.Addr)
	tests := []struct {
		name      string
		conf      *tls.Config
		wantError bool
	}{
		{"CAFile is trusted", d.TLSConfig(), false},
		{"WrongCAFile is refused", wrong, true},
	}
	for _, tc := range tests {
		t.Run("ldaps "+tc.name, func(t *testing.T) {
			conn, err := ldap.DialURL(d.LDAPSURL, ldap.DialWithTLSConfig(tc.conf))
			if err == nil {
				defer func() { _ = conn.Close() }()
				err = conn.Bind(d.AdminUPN, d.AdminPassword)
			}
			checkTLSResult(t, err, tc.wantError)
		})
		t.Run("StartTLS "+tc.name, func(t *testing.T) {
			conn, err := ldap.DialURL(d.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = conn.Close() }()
			err = conn.StartTLS(tc.conf)
			if err == nil {
				err = conn.Bind(adtest.SeededUser(adtest.Alice).UPN, adtest.Password(adtest.Alice))
			}
			checkTLSResult(t, err, tc.wantError)
		})
	}
}

func checkTLSResult(t *testing.T, err error, wantError bool) {
	t.Helper()
	var unknownCA x509.UnknownAuthorityError
	switch {
	case !wantError && err != nil:
		t.Fatal(err)
	case wantError && !errors.As(err, &unknownCA) && !startTLSUnknownCA(err):
		t.Fatalf("error %v, want a certificate signed by unknown authority", err)
	}
}

// startTLSUnknownCA recognises go-ldap's StartTLS failure, which keeps
// only the text of the handshake error (it formats it with %v).
func startTLSUnknownCA(err error) bool {
	return ldap.IsErrorWithCode(err, ldap.ErrorNetwork) &&
		strings.Contains(err.Error(), "x509: certificate signed by unknown authority")
}

func tlsConfigFrom(t *testing.T, caFile, addr string) *tls.Config {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", caFile)
	}
	return &tls.Config{RootCAs: pool, ServerName: addr}
}

func TestMembership(t *testing.T) {
	d := adtest.Shared(t)
	conn := d.Conn(t)
	outer := d.GroupDN(adtest.OuterGroup)
	tests := []struct {
		name, filter string
		want         []string
	}{
		{"transitive", "(memberOf:1.2.840.113556.1.4.1941:=" + ldap.EscapeFilter(outer) + ")", []string{d.UserDN(adtest.Alice)}},
		{"direct only", "(memberOf=" + ldap.EscapeFilter(outer) + ")", nil},
		{"plain group", "(memberOf=" + ldap.EscapeFilter(d.GroupDN(adtest.PlainGroup)) + ")", []string{d.UserDN(adtest.Bob)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := conn.Search(ldap.NewSearchRequest(adtest.PeopleDN, ldap.ScopeWholeSubtree,
				ldap.NeverDerefAliases, 0, 0, false, tc.filter, []string{"dn"}, nil))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range res.Entries {
				got = append(got, e.DN)
			}
			if len(got) != len(tc.want) || (len(got) == 1 && !equalDN(got[0], tc.want[0])) {
				t.Errorf("found %q, want %q", got, tc.want)
			}
		})
	}
}

func equalDN(a, b string) bool {
	da, errA := ldap.ParseDN(a)
	db, errB := ldap.ParseDN(b)
	return errA == nil && errB == nil && da.EqualFold(db)
}

func TestSeededUserEntries(t *testing.T) {
	d := adtest.Shared(t)
	conn := d.Conn(t)
	for _, name := range []string{adtest.Alice, adtest.Meta} {
		u := adtest.SeededUser(name)
		t.Run(name, func(t *testing.T) {
			// The filter escapes the metacharacters of Meta's names.
			filter := "(&(sAMAccountName=" + ldap.EscapeFilter(u.Name) + ")(userPrincipalName=" + ldap.EscapeFilter(u.UPN) + "))"
			res, err := conn.Search(ldap.NewSearchRequest(adtest.BaseDN, ldap.ScopeWholeSubtree,
				ldap.NeverDerefAliases, 0, 0, false, filter,
				[]string{"mail", "givenName", "sn", "displayName", "objectGUID"}, nil))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Entries) != 1 {
				t.Fatalf("%d entries for %s", len(res.Entries), filter)
			}
			e := res.Entries[0]
			if !equalDN(e.DN, d.UserDN(name)) {
				t.Errorf("DN %q, want %q", e.DN, d.UserDN(name))
			}
			for attr, want := range map[string]string{
				"mail": u.Mail, "givenName": u.GivenName, "sn": u.Surname, "displayName": u.DisplayName,
			} {
				if got := e.GetAttributeValue(attr); got != want {
					t.Errorf("%s = %q, want %q", attr, got, want)
				}
			}
			if guid := e.GetRawAttributeValue("objectGUID"); len(guid) != 16 {
				t.Errorf("objectGUID has %d bytes, want 16", len(guid))
			}
		})
	}
}
