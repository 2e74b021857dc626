package ldapstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// A person's own password change by the Password Modify extended
// operation, against OpenLDAP's ppolicy overlay: each case has its own
// subtree and policy entry.
func TestUsersPasswordModify(t *testing.T) {
	t.Parallel()
	d := openLDAPWithPeople(t, ldaptest.Options{PPolicy: true})
	const newPassword = "a-new-Password-42"

	// setUp adds carol under a policy with attrs and returns the store.
	setUp := func(t *testing.T, attrs ...[2]string) (*people, *ldapstore.Users, string) {
		p := newPeople(t, d)
		policy := p.addPolicy(t, "policy", attrs...)
		dn := p.addUser(t, "carol", passwords["carol"], [2]string{"pwdPolicySubentry", policy})
		cfg := p.config()
		cfg.PasswordChange = "passwordModify"
		return p, p.users(t, cfg), dn
	}
	mustChange := func(t *testing.T, dn string) {
		req := ldap.NewModifyRequest(dn, nil)
		req.Replace("pwdReset", []string{"TRUE"})
		if err := d.conn.Modify(req); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("must change, changed, signs in with the new password", func(t *testing.T) {
		t.Parallel()
		_, u, dn := setUp(t, [2]string{"pwdMustChange", "TRUE"})
		mustChange(t, dn)
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginMustChange)
		wantChange(t, u, "carol", passwords["carol"], newPassword, oauth.PasswordChanged, "")
		wantOutcome(t, u, "carol", newPassword, oauth.LoginOK)
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginInvalid)
	})

	t.Run("found by mail as Login finds", func(t *testing.T) {
		t.Parallel()
		p, u, _ := setUp(t)
		p.addUser(t, "dave", passwords["dave"], [2]string{"mail", "dave@example.org"})
		wantChange(t, u, "dave@example.org", passwords["dave"], newPassword, oauth.PasswordChanged, "")
		wantOutcome(t, u, "dave", newPassword, oauth.LoginOK)
	})

	t.Run("wrong current password", func(t *testing.T) {
		t.Parallel()
		_, u, dn := setUp(t, [2]string{"pwdMustChange", "TRUE"})
		mustChange(t, dn)
		wantChange(t, u, "carol", "wrong", newPassword, oauth.PasswordWrongCurrent, "")
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginMustChange)
	})

	t.Run("unknown user and empty inputs", func(t *testing.T) {
		t.Parallel()
		_, u, _ := setUp(t)
		wantChange(t, u, "nobody", passwords["carol"], newPassword, oauth.PasswordWrongCurrent, "")
		wantChange(t, u, "carol", "", newPassword, oauth.PasswordWrongCurrent, "")
		wantChange(t, u, "carol", passwords["carol"], "", oauth.PasswordRefused, "")
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginOK)
	})

	t.Run("too short", func(t *testing.T) {
		t.Parallel()
		_, u, dn := setUp(t, [2]string{"pwdMustChange", "TRUE"},
			[2]string{"pwdCheckQuality", "2"}, [2]string{"pwdMinLength", "12"})
		mustChange(t, dn)
		wantChange(t, u, "carol", passwords["carol"], "short-1", oauth.PasswordRefused, "too_short")
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginMustChange)
		wantChange(t, u, "carol", passwords["carol"], newPassword, oauth.PasswordChanged, "")
	})

	t.Run("in history", func(t *testing.T) {
		t.Parallel()
		_, u, dn := setUp(t, [2]string{"pwdMustChange", "TRUE"}, [2]string{"pwdInHistory", "3"})
		mustChange(t, dn)
		wantChange(t, u, "carol", passwords["carol"], passwords["carol"], oauth.PasswordRefused, "in_history")
		wantChange(t, u, "carol", passwords["carol"], newPassword, oauth.PasswordChanged, "")
		wantChange(t, u, "carol", newPassword, passwords["carol"], oauth.PasswordRefused, "in_history")
	})

	t.Run("too young", func(t *testing.T) {
		t.Parallel()
		_, u, _ := setUp(t, [2]string{"pwdMinAge", "3600"})
		wantChange(t, u, "carol", passwords["carol"], newPassword, oauth.PasswordRefused, "too_young")
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginOK)
	})

	t.Run("locked", func(t *testing.T) {
		t.Parallel()
		_, u, _ := setUp(t, [2]string{"pwdLockout", "TRUE"}, [2]string{"pwdMaxFailure", "2"})
		for range 2 {
			wantOutcome(t, u, "carol", "wrong", oauth.LoginInvalid)
		}
		wantChange(t, u, "carol", passwords["carol"], newPassword, oauth.PasswordLocked, "")
	})

	t.Run("expired with a grace login left", func(t *testing.T) {
		t.Parallel()
		p, u, dn := setUp(t, [2]string{"pwdMaxAge", "3600"}, [2]string{"pwdGraceAuthNLimit", "1"})
		p.passwordChangedAt(t, dn, "20000101000000Z")
		wantChange(t, u, "carol", passwords["carol"], newPassword, oauth.PasswordChanged, "")
		wantOutcome(t, u, "carol", newPassword, oauth.LoginOK)
	})

	t.Run("expired without grace logins cannot be changed by the person", func(t *testing.T) {
		t.Parallel()
		p, u, dn := setUp(t, [2]string{"pwdMaxAge", "3600"})
		p.passwordChangedAt(t, dn, "20000101000000Z")
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginExpired)
		change, _, err := u.ChangePassword(context.Background(), "carol", passwords["carol"], newPassword)
		if !errors.Is(err, errors.ErrUnsupported) || change == oauth.PasswordChanged {
			t.Fatalf("ChangePassword = %v, %v; want an error wrapping ErrUnsupported", change, err)
		}
		// A wrong password is still just that.
		wantChange(t, u, "carol", "wrong", newPassword, oauth.PasswordWrongCurrent, "")
	})

	t.Run("not configured", func(t *testing.T) {
		t.Parallel()
		p := newPeople(t, d)
		p.addUser(t, "carol", passwords["carol"])
		u := p.users(t, p.config())
		change, _, err := u.ChangePassword(context.Background(), "carol", passwords["carol"], newPassword)
		if !errors.Is(err, errors.ErrUnsupported) || change == oauth.PasswordChanged {
			t.Fatalf("ChangePassword = %v, %v; want an error wrapping ErrUnsupported", change, err)
		}
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginOK)
	})
}

// wantChange changes username's password and checks the answer.
func wantChange(t *testing.T, u *ldapstore.Users, username, current, next string, want oauth.PasswordChange, wantReason string) {
	t.Helper()
	got, reason, err := u.ChangePassword(context.Background(), username, current, next)
	if err != nil || got != want || reason != wantReason {
		t.Fatalf("ChangePassword(%q) = %v, %q, %v; want %v, %q", username, got, reason, err, want, wantReason)
	}
}
