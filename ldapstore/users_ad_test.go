package ldapstore_test

import (
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/adtest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// adConfig is the activedirectory profile on the shared DC: people
// anywhere in the domain, groups in the seeded groups unit.
func adConfig(t testing.TB, d *adtest.DC) ldapstore.UsersConfig {
	t.Helper()
	cfg, err := ldapstore.ProfileDefaults(ldapstore.ProfileActiveDirectory)
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseDN = d.BaseDN
	cfg.Groups.BaseDN = adtest.GroupsDN
	return cfg
}

// adUsers returns a store on the DC with pcfg's transport (URLs, TLS),
// bound as Administrator, logging to log (nil: discarded).
func adUsers(t testing.TB, d *adtest.DC, pcfg ldapstore.PoolConfig, cfg ldapstore.UsersConfig, log *logBuffer) *ldapstore.Users {
	t.Helper()
	if len(pcfg.URLs) == 0 {
		pcfg.URLs = []string{d.URL}
	}
	pcfg.BindDN, pcfg.BindPassword = d.AdminDN, d.AdminPassword
	pcfg.Timeout, pcfg.Size = 10*time.Second, 4
	logger := slog.New(slog.DiscardHandler)
	if log != nil {
		logger = slog.New(slog.NewTextHandler(log, nil))
	}
	pool, err := ldapstore.NewPool(pcfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	u, err := ldapstore.NewUsers(pool, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	return u
}

// addADUser adds an enabled user of this test's own to the DC's people
// unit, with sAMAccountName name (at most 20 characters), UPN
// name@example.test, the given mail and password, and further attributes;
// it returns the DN.
func addADUser(t testing.TB, d *adtest.DC, name, mail, password string, attrs ...[2]string) string {
	t.Helper()
	dn := "CN=" + ldap.EscapeDN(name) + "," + adtest.PeopleDN
	all := [][2]string{
		{"objectClass", "user"}, {"sAMAccountName", name}, {"userPrincipalName", name + "@example.test"},
		{"mail", mail}, {"displayName", name}, {"unicodePwd", adtest.UnicodePwd(password)},
		{"userAccountControl", "512"},
	}
	add(t, d.Conn(t), dn, append(all, attrs...))
	return dn
}

// Sign-in by each of the three names the profile's filter accepts, and
// names with filter metacharacters, which must be escaped exactly once.
func TestADLogin(t *testing.T) {
	t.Parallel()
	d := adtest.Shared(t)
	addADUser(t, d, "carol-ad", "carol.other@mail.example", "Pw-carol-ad-1", [2]string{"givenName", "Carol"}, [2]string{"sn", "Example"})
	u := adUsers(t, d, ldapstore.PoolConfig{}, adConfig(t, d), nil)
	alice := adtest.SeededUser(adtest.Alice)
	meta := adtest.SeededUser(adtest.Meta)
	tests := []struct {
		name, username, password string
		want                     oauth.LoginOutcome
		wantName                 string // preferred_username on success
	}{
		{"sAMAccountName", "alice", alice.Password, oauth.LoginOK, "alice"},
		{"sAMAccountName in other case", "ALICE", alice.Password, oauth.LoginOK, "alice"},
		{"userPrincipalName", alice.UPN, alice.Password, oauth.LoginOK, "alice"},
		{"mail different from the UPN", "carol.other@mail.example", "Pw-carol-ad-1", oauth.LoginOK, "carol-ad"},
		{"UPN of the same person", "carol-ad@example.test", "Pw-carol-ad-1", oauth.LoginOK, "carol-ad"},
		{"parentheses in sAMAccountName", adtest.Meta, meta.Password, oauth.LoginOK, adtest.Meta},
		{"star and parentheses in UPN", adtest.MetaUPN, meta.Password, oauth.LoginOK, adtest.Meta},
		{"star matches nobody", "*", alice.Password, oauth.LoginInvalid, ""},
		{"star in a name matches nobody", "ali*", alice.Password, oauth.LoginInvalid, ""},
		{"filter injection", "x)(sAMAccountName=alice", alice.Password, oauth.LoginInvalid, ""},
		{"pre-escaped star", `x\2a(y)z@example.test`, meta.Password, oauth.LoginInvalid, ""},
		{"unknown name", "nobody", "whatever", oauth.LoginInvalid, ""},
		{"another person's password", "alice", adtest.Password(adtest.Bob), oauth.LoginInvalid, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			user := wantOutcome(t, u, tc.username, tc.password, tc.want)
			if got := user.Claims["preferred_username"]; tc.want == oauth.LoginOK && got != tc.wantName {
				t.Errorf("preferred_username = %v, want %q", got, tc.wantName)
			}
		})
	}
}

// The claims the profile maps, from a seeded person.
func TestADClaims(t *testing.T) {
	t.Parallel()
	d := adtest.Shared(t)
	u := adUsers(t, d, ldapstore.PoolConfig{}, adConfig(t, d), nil)
	alice := adtest.SeededUser(adtest.Alice)
	user := wantOutcome(t, u, alice.Name, alice.Password, oauth.LoginOK)
	want := map[string]any{
		"preferred_username": alice.Name, "name": alice.DisplayName, "given_name": alice.GivenName,
		"family_name": alice.Surname, "email": alice.Mail,
		"groups": []string{adtest.InnerGroup, adtest.OuterGroup},
	}
	if !reflect.DeepEqual(user.Claims, want) {
		t.Errorf("claims = %#v, want %#v", user.Claims, want)
	}
	if !strings.EqualFold(user.DN, adtest.UserDN(adtest.Alice)) || user.Username != alice.Name {
		t.Errorf("DN %q, username %q", user.DN, user.Username)
	}
}

// "sub" is the objectGUID in the string form AD's own tools use: Samba
// finds the entry by it through an extended DN, <GUID=...>, which it
// parses with Windows' byte order.
func TestADSubjectIsObjectGUID(t *testing.T) {
	t.Parallel()
	d := adtest.Shared(t)
	u := adUsers(t, d, ldapstore.PoolConfig{}, adConfig(t, d), nil)
	user := wantOutcome(t, u, adtest.Alice, adtest.Password(adtest.Alice), oauth.LoginOK)
	res, err := d.Conn(t).Search(ldap.NewSearchRequest("<GUID="+user.Subject+">", ldap.ScopeBaseObject,
		ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"1.1"}, nil))
	if err != nil || len(res.Entries) != 1 || !strings.EqualFold(res.Entries[0].DN, adtest.UserDN(adtest.Alice)) {
		t.Fatalf("the entry of <GUID=%s>: %v, %v; want alice", user.Subject, res, err)
	}

	found, err := u.Lookup(t.Context(), user.Subject)
	if err != nil || !reflect.DeepEqual(found, user) {
		t.Errorf("Lookup(%q) = %+v, %v; want %+v", user.Subject, found, err, user)
	}
	for _, subject := range []string{
		strings.ToUpper(user.Subject),          // the same GUID, not the same "sub"
		"{" + user.Subject + "}",               // likewise
		"00000000-0000-0000-0000-000000000000", // a GUID nobody has
		"alice", "*", adtest.UserDN(adtest.Alice),
	} {
		if got, err := u.Lookup(t.Context(), subject); !errors.Is(err, ldapstore.ErrNotFound) {
			t.Errorf("Lookup(%q) = %+v, %v; want ErrNotFound", subject, got, err)
		}
	}
}

// A person renamed — new CN, so a new DN, and a new sAMAccountName and
// UPN — keeps their "sub": it is the objectGUID, which never changes.
func TestADSubjectSurvivesRename(t *testing.T) {
	t.Parallel()
	d := adtest.Shared(t)
	dn := addADUser(t, d, "before-rename", "before@mail.example", "Pw-rename-1")
	u := adUsers(t, d, ldapstore.PoolConfig{}, adConfig(t, d), nil)
	before := wantOutcome(t, u, "before-rename", "Pw-rename-1", oauth.LoginOK)

	conn := d.Conn(t)
	if err := conn.ModifyDN(ldap.NewModifyDNRequest(dn, "CN=after-rename", true, "")); err != nil {
		t.Fatal(err)
	}
	mod := ldap.NewModifyRequest("CN=after-rename,"+adtest.PeopleDN, nil)
	mod.Replace("sAMAccountName", []string{"after-rename"})
	mod.Replace("userPrincipalName", []string{"after-rename@example.test"})
	if err := conn.Modify(mod); err != nil {
		t.Fatal(err)
	}

	wantOutcome(t, u, "before-rename", "Pw-rename-1", oauth.LoginInvalid)
	after := wantOutcome(t, u, "after-rename", "Pw-rename-1", oauth.LoginOK)
	if after.Subject != before.Subject || before.Subject == "" {
		t.Errorf("sub before the rename %q, after %q: want the same", before.Subject, after.Subject)
	}
	found, err := u.Lookup(t.Context(), before.Subject)
	if err != nil || found.Claims["preferred_username"] != "after-rename" ||
		!strings.EqualFold(found.DN, "CN=after-rename,"+adtest.PeopleDN) {
		t.Errorf("Lookup after the rename = %+v, %v", found, err)
	}
}
