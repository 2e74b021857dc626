package embedded

import (
	"crypto/sha256"
	"crypto/subtle"

	"github.com/go-ldap/ldap/v3"
	"github.com/jimlambrt/gldap"
)

// adminCredential is the one identity allowed to write. Only a digest of
// the password is kept, which also gives constant-time comparison inputs of
// equal length.
type adminCredential struct {
	dn     dn
	digest [sha256.Size]byte
}

func newAdminCredential(name, password string) (adminCredential, error) {
	d, err := parseDN(name)
	if err != nil {
		return adminCredential{}, err
	}
	return adminCredential{dn: d, digest: sha256.Sum256([]byte(password))}, nil
}

func (a adminCredential) matches(password string) bool {
	got := sha256.Sum256([]byte(password))
	return subtle.ConstantTimeCompare(got[:], a.digest[:]) == 1
}

// bind handles a simple bind. Whatever the outcome, the connection is
// anonymous until a bind succeeds (RFC 4511 §4.2.1).
func (h *handler) bind(w *gldap.ResponseWriter, r *gldap.Request) {
	conn := r.ConnectionID()
	h.identities.set(conn, identity{})
	var who identity
	err := h.safely(func() error {
		var err error
		who, err = h.authenticate(r)
		return err
	})
	if err == nil {
		h.identities.set(conn, who)
	}
	code, msg, matched := resultOf(err)
	resp := r.NewBindResponse(gldap.WithResponseCode(code))
	resp.SetDiagnosticMessage(msg)
	resp.SetMatchedDN(matched)
	h.send(w, resp)
}

// authenticate decides who a bind request makes the connection.
func (h *handler) authenticate(r *gldap.Request) (identity, error) {
	m, err := r.GetSimpleBindMessage()
	if err != nil {
		return identity{}, fail(ldap.LDAPResultAuthMethodNotSupported, "only simple binds are supported")
	}
	if err := checkControls(m.Controls); err != nil {
		return identity{}, err
	}
	name, password := m.UserName, string(m.Password)
	switch {
	case name == "" && password == "":
		return identity{}, nil // anonymous bind
	case name == "":
		return identity{}, invalidCredentials() // a password for nobody
	case password == "":
		// An unauthenticated bind (RFC 4513 §5.1.2) names a DN but proves
		// nothing. Succeeding would let a caller that forgot to check for an
		// empty password believe the user had logged in, so it fails, as
		// the RFC recommends and OpenLDAP does by default.
		return identity{}, fail(ldap.LDAPResultUnwillingToPerform, "unauthenticated bind (DN with no password) disallowed")
	}
	target, err := parseDN(name)
	if err != nil {
		return identity{}, err
	}
	if target.key == h.admin.dn.key {
		if h.admin.matches(password) {
			return identity{dn: h.admin.dn.text, admin: true}, nil
		}
		return identity{}, invalidCredentials()
	}
	if h.dir.checkPassword(target, password) {
		return identity{dn: name}, nil
	}
	return identity{}, invalidCredentials()
}

// invalidCredentials is the one answer for an unknown DN, an entry without
// a password and a wrong password, so a client cannot tell them apart.
func invalidCredentials() error {
	return fail(ldap.LDAPResultInvalidCredentials, "invalid credentials")
}

// checkPassword reports whether password matches one of the userPassword
// values of the entry named target.
func (d *directory) checkPassword(target dn, password string) bool {
	d.mu.RLock()
	e, ok := d.entries[target.key]
	d.mu.RUnlock()
	if !ok {
		return false
	}
	// No early return: every stored value is checked, so the time taken does
	// not reveal which value matched.
	matched := false
	for _, stored := range e.get(attrDesc{base: "userpassword"}) {
		if verifyPassword(stored, password) {
			matched = true
		}
	}
	return matched
}
