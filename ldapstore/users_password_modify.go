package ldapstore

import (
	"context"
	"errors"
	"fmt"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// passwordModifyOID names the Password Modify extended operation (RFC 3062).
const passwordModifyOID = "1.3.6.1.4.1.4203.1.11.1"

// passwordModify binds as dn with current on a connection for people's
// binds and changes the password on it with the Password Modify extended
// operation. Both requests carry the password policy request control, so
// that OpenLDAP says which rule refused what (draft-behera-ldap-password-
// policy-10 §6.2): the bind's answer tells a locked account and an
// expired password from a wrong one; the change's, a short password from
// a simple one. The change runs once (Do): it is a write.
func (u *Users) passwordModify(ctx context.Context, dn, current, next string) (oauth.PasswordChange, string, error) {
	var bound bool
	var policy *ldap.ControlBeheraPasswordPolicy
	err := u.binds.DoOp(ctx, OpPasswordModify, func(conn *ldap.Conn) error {
		res, err := conn.SimpleBind(&ldap.SimpleBindRequest{
			Username: dn, Password: current,
			Controls: []ldap.Control{ldap.NewControlBeheraPasswordPolicy()},
		})
		if err != nil {
			policy = policyControl(res)
			return err
		}
		bound = true
		_, err = conn.Extended(passwordModifyRequest(current, next))
		policy = errorPolicyControl(err)
		return err
	})
	switch {
	case err == nil:
		return oauth.PasswordChanged, "", nil
	case errors.Is(err, ErrUnavailable):
		return oauth.PasswordRefused, "", err
	case !bound:
		return bindRefused(err, policy)
	}
	return modifyRefused(err, policy)
}

// passwordModifyRequest is RFC 3062's request for the bound person's own
// password, with the old one (pwdSafeModify asks for it) and the
// password policy request control.
func passwordModifyRequest(current, next string) *ldap.ExtendedRequest {
	value := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "PasswdModifyRequestValue")
	value.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 1, current, "oldPasswd"))
	value.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 2, next, "newPasswd"))
	return &ldap.ExtendedRequest{Name: passwordModifyOID, Value: value,
		Controls: []ldap.Control{ldap.NewControlBeheraPasswordPolicy()}}
}

// bindRefused judges the person's bind that failed before the change.
func bindRefused(err error, policy *ldap.ControlBeheraPasswordPolicy) (oauth.PasswordChange, string, error) {
	if !errors.Is(classify(err, opBind), errCredentials) {
		return oauth.PasswordRefused, "", fmt.Errorf("bind: %w", err)
	}
	if policy == nil {
		return oauth.PasswordWrongCurrent, "", nil
	}
	switch policy.Error {
	case ldap.BeheraAccountLocked:
		return oauth.PasswordLocked, "", nil
	case ldap.BeheraPasswordExpired:
		// Right password, but the server lets an expired one do nothing
		// once the grace logins are used up: the person cannot change it.
		return oauth.PasswordRefused, "", fmt.Errorf("bind: password expired and no grace login left "+
			"(set pwdGraceAuthNLimit to let people renew it): %w", errors.ErrUnsupported)
	}
	return oauth.PasswordWrongCurrent, "", nil
}

// modifyRefused judges a refused Password Modify operation. The policy's
// refusals are constraintViolation (OpenLDAP's ppolicy) and a user change
// that the policy forbids altogether insufficientAccessRights
// (pwdAllowUserChange FALSE); anything else is an error.
func modifyRefused(err error, policy *ldap.ControlBeheraPasswordPolicy) (oauth.PasswordChange, string, error) {
	if policy != nil {
		switch policy.Error {
		case ldap.BeheraPasswordTooShort:
			return oauth.PasswordRefused, reasonTooShort, nil
		case ldap.BeheraInsufficientPasswordQuality:
			return oauth.PasswordRefused, reasonTooSimple, nil
		case ldap.BeheraPasswordInHistory:
			return oauth.PasswordRefused, reasonInHistory, nil
		case ldap.BeheraPasswordTooYoung:
			return oauth.PasswordRefused, reasonTooYoung, nil
		}
	}
	var lerr *ldap.Error
	if !errors.As(err, &lerr) {
		return oauth.PasswordRefused, "", fmt.Errorf("password modify: %w", err)
	}
	switch lerr.ResultCode {
	case ldap.LDAPResultConstraintViolation, ldap.LDAPResultInsufficientAccessRights:
		return oauth.PasswordRefused, reasonFromText(lerr.Err.Error()), nil
	}
	return oauth.PasswordRefused, "", fmt.Errorf("password modify: %w", err)
}

// errorPolicyControl finds the password policy response control of a
// failed operation: go-ldap returns no result for an error, but keeps the
// response in the error, whose third element holds the controls
// (RFC 4511 §4.1.1).
func errorPolicyControl(err error) *ldap.ControlBeheraPasswordPolicy {
	var lerr *ldap.Error
	if !errors.As(err, &lerr) || lerr.Packet == nil || len(lerr.Packet.Children) < 3 {
		return nil
	}
	for _, child := range lerr.Packet.Children[2].Children {
		c, err := ldap.DecodeControl(child)
		if p, ok := c.(*ldap.ControlBeheraPasswordPolicy); err == nil && ok {
			return p
		}
	}
	return nil
}
