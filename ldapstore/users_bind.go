package ldapstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// bind checks a person's password by binding as their entry, asking for
// the password policy response control
// (draft-behera-ldap-password-policy-10 §6; OpenLDAP's ppolicy overlay
// answers it). Active Directory sends no control but says why it refused
// in the "data" sub-code of its message (users_ad_bind.go). The password
// is sent as given: it is never escaped.
func (u *Users) bind(ctx context.Context, dn, password string) (oauth.LoginOutcome, error) {
	if password == "" { // an unauthenticated bind proves nothing (RFC 4513 §5.1.2)
		return oauth.LoginInvalid, nil
	}
	req := &ldap.SimpleBindRequest{
		Username: dn,
		Password: password,
		Controls: []ldap.Control{ldap.NewControlBeheraPasswordPolicy()},
	}
	var res *ldap.SimpleBindResult
	err := u.binds.DoIdempotentOp(ctx, OpBind, func(conn *ldap.Conn) error {
		var err error
		res, err = conn.SimpleBind(req)
		return err
	})
	policy := policyControl(res)
	err = classify(err, opBind)
	switch {
	case err == nil:
		return u.boundOutcome(dn, policy), nil
	case errors.Is(err, errCredentials):
		if policy == nil {
			if outcome, ok := u.adRefusedOutcome(dn, err); ok {
				return outcome, nil
			}
		}
		return u.refusedOutcome(dn, policy), nil
	default:
		return oauth.LoginInvalid, fmt.Errorf("bind as %q: %w", dn, err)
	}
}

// policyControl finds the password policy response control, if the
// server sent one.
func policyControl(res *ldap.SimpleBindResult) *ldap.ControlBeheraPasswordPolicy {
	if res == nil {
		return nil
	}
	c, _ := ldap.FindControl(res.Controls, ldap.ControlTypeBeheraPasswordPolicy).(*ldap.ControlBeheraPasswordPolicy)
	return c
}

// boundOutcome judges a bind that succeeded. A password reset by an
// administrator under pwdMustChange binds, but the server then allows
// nothing but changing it (changeAfterReset): the person may not sign in
// until they have. Grace logins after expiry are the server's choice to
// let the person in, and count as success.
func (u *Users) boundOutcome(dn string, policy *ldap.ControlBeheraPasswordPolicy) oauth.LoginOutcome {
	if policy == nil {
		return oauth.LoginOK
	}
	if policy.Error == ldap.BeheraChangeAfterReset {
		u.log.Info("login refused: password must be changed after a reset", "dn", dn)
		return oauth.LoginMustChange
	}
	if policy.Grace >= 0 {
		u.log.Info("login with an expired password, as a grace login", "dn", dn, "graceLoginsLeft", policy.Grace)
	}
	return oauth.LoginOK
}

// refusedOutcome judges a bind refused for its credentials. OpenLDAP's
// ppolicy answers a locked account and an expired password with
// invalidCredentials too, and says which in the control's error.
func (u *Users) refusedOutcome(dn string, policy *ldap.ControlBeheraPasswordPolicy) oauth.LoginOutcome {
	if policy == nil {
		return oauth.LoginInvalid
	}
	var outcome oauth.LoginOutcome
	switch policy.Error {
	case ldap.BeheraAccountLocked:
		outcome = oauth.LoginLocked
	case ldap.BeheraPasswordExpired:
		outcome = oauth.LoginExpired
	case ldap.BeheraChangeAfterReset:
		outcome = oauth.LoginMustChange
	default:
		return oauth.LoginInvalid
	}
	u.log.Info("login refused by the password policy", "dn", dn, "reason", policy.ErrorString)
	return outcome
}
