package adtest

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
	"unicode/utf16"

	"github.com/go-ldap/ldap/v3"
)

// userAccountControl values: a normal account, and the same disabled.
const (
	uacNormal   = "512"
	uacDisabled = "514"
)

// seed adds the organizational units, users and groups of names.go and
// puts the special accounts into their states.
func (d *DC) seed(ctx context.Context) error {
	conn, err := d.Dial()
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }() // nothing left to tell
	for _, ou := range []string{PeopleDN, GroupsDN} {
		req := ldap.NewAddRequest(ou, nil)
		req.Attribute("objectClass", []string{"organizationalUnit"})
		if err := conn.Add(req); err != nil {
			return fmt.Errorf("seed %s: %w", ou, err)
		}
	}
	for _, name := range Users() {
		if err := conn.Add(userRequest(SeededUser(name))); err != nil {
			return fmt.Errorf("seed user %s: %w", name, err)
		}
	}
	for _, g := range []struct{ name, member string }{
		{InnerGroup, UserDN(Alice)},
		{OuterGroup, GroupDN(InnerGroup)},
		{PlainGroup, UserDN(Bob)},
	} {
		if err := conn.Add(groupRequest(g.name, g.member)); err != nil {
			return fmt.Errorf("seed group %s: %w", g.name, err)
		}
	}
	if err := d.lockOut(Locked); err != nil {
		return err
	}
	return d.expirePassword(ctx, conn, Expired)
}

// userRequest adds u with the state its name calls for. The password is
// set at creation (over plain LDAP since strong auth is off).
func userRequest(u User) *ldap.AddRequest {
	req := ldap.NewAddRequest(UserDN(u.Name), nil)
	req.Attribute("objectClass", []string{"user"})
	req.Attribute("sAMAccountName", []string{u.Name})
	req.Attribute("userPrincipalName", []string{u.UPN})
	req.Attribute("mail", []string{u.Mail})
	req.Attribute("givenName", []string{u.GivenName})
	req.Attribute("sn", []string{u.Surname})
	req.Attribute("displayName", []string{u.DisplayName})
	req.Attribute("unicodePwd", []string{UnicodePwd(u.Password)})
	uac := uacNormal
	switch u.Name {
	case Disabled:
		uac = uacDisabled
	case MustChange:
		req.Attribute("pwdLastSet", []string{"0"})
	case AccountExpired:
		req.Attribute("accountExpires", []string{ntTime(time.Now().Add(-10 * 24 * time.Hour))})
	}
	req.Attribute("userAccountControl", []string{uac})
	return req
}

func groupRequest(name, member string) *ldap.AddRequest {
	req := ldap.NewAddRequest(GroupDN(name), nil)
	req.Attribute("objectClass", []string{"group"})
	req.Attribute("sAMAccountName", []string{name})
	req.Attribute("member", []string{member})
	return req
}

// lockOut locks an account the way a guesser would: wrong passwords up to
// the lockout threshold of the template's policy. It stays locked for the
// default lockout duration, 30 minutes (lockoutTime cannot be set over
// LDAP except to 0, which unlocks).
func (d *DC) lockOut(name string) error {
	for range lockoutThreshold {
		err := d.Bind(d.URL, SeededUser(name).UPN, "wrong-"+Password(name))
		if DataCode(err) != DataWrongPassword {
			return fmt.Errorf("lock out %s: wrong-password bind returned %v", name, err)
		}
	}
	return nil
}

// lockoutThreshold is the template policy's --account-lockout-threshold.
const lockoutThreshold = 3

// expirePassword makes name's password expired. Over LDAP alone this is
// impossible: Samba treats a maximum password age of a day or less as
// "never", and pwdLastSet accepts only 0 (must change) and -1 (now). So a
// password settings object gives the user a two-day maximum age, and a
// local ldbmodify on the live database, with the control that lets a
// password be set with a given pwdLastSet, back-dates the password ten
// days.
func (d *DC) expirePassword(ctx context.Context, conn *ldap.Conn, name string) error {
	if err := conn.Add(expiryPSO(name)); err != nil {
		return fmt.Errorf("seed password settings for %s: %w", name, err)
	}
	ldif := fmt.Sprintf("dn: %s\nchangetype: modify\nreplace: unicodePwd\nunicodePwd:: %s\n-\nreplace: pwdLastSet\npwdLastSet: %s\n-\n",
		UserDN(name), base64.StdEncoding.EncodeToString([]byte(UnicodePwd(Password(name)))),
		ntTime(time.Now().Add(-10*24*time.Hour)))
	path := filepath.Join(d.Dir, "expire.ldif")
	if err := os.WriteFile(path, []byte(ldif), 0o600); err != nil {
		return err
	}
	return run(ctx, d.tools.ldbmodify, "-H", samPath(d.Dir), "--configfile="+confPath(d.Dir),
		"--controls=local_oid:1.3.6.1.4.1.7165.4.3.20:0", path)
}

// day is one day as a negative count of 100 ns intervals, the form of AD's
// password-age attributes.
const day = -24 * 60 * 60 * 10_000_000

func expiryPSO(name string) *ldap.AddRequest {
	req := ldap.NewAddRequest("CN=expired-"+ldap.EscapeDN(name)+",CN=Password Settings Container,CN=System,"+BaseDN, nil)
	for _, a := range [][2]string{
		{"objectClass", "msDS-PasswordSettings"},
		{"msDS-PasswordSettingsPrecedence", "1"},
		{"msDS-PasswordReversibleEncryptionEnabled", "FALSE"},
		{"msDS-PasswordHistoryLength", "0"},
		{"msDS-PasswordComplexityEnabled", "FALSE"},
		{"msDS-MinimumPasswordLength", "1"},
		{"msDS-MinimumPasswordAge", "0"},
		{"msDS-MaximumPasswordAge", strconv.Itoa(2 * day)},
		{"msDS-LockoutThreshold", "0"},
		{"msDS-LockoutObservationWindow", strconv.Itoa(day / 48)},
		{"msDS-LockoutDuration", strconv.Itoa(day / 48)},
		{"msDS-PSOAppliesTo", UserDN(name)},
	} {
		req.Attribute(a[0], []string{a[1]})
	}
	return req
}

// UnicodePwd encodes a password as AD's unicodePwd attribute wants it: in
// double quotes, UTF-16LE. Use it as the value to set (add, or replace as
// an admin) and, in a person's own change, as the value to delete (old)
// and to add (new).
func UnicodePwd(password string) string {
	units := utf16.Encode([]rune(`"` + password + `"`))
	b := make([]byte, 0, 2*len(units))
	for _, u := range units {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

// ntTime is t as a Windows FILETIME: 100 ns intervals since 1601-01-01.
func ntTime(t time.Time) string {
	const epochOffset = 11644473600 // seconds from 1601 to 1970
	return strconv.FormatInt((t.Unix()+epochOffset)*10_000_000, 10)
}
