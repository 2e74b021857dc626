package conf

import (
	"errors"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// checkLDAPServers applies when an external directory is configured.
func checkLDAPServers(c *Config, r *report) {
	l := c.LDAP
	for i, s := range l.URLs {
		path := indexPath("ldap.urls", i)
		if checkLDAPURL(r, path, s, l.StartTLS) && slices.Index(l.URLs, s) < i {
			r.add(path, "%q is listed twice", s)
		}
	}
	if len(l.URLs) > 0 {
		checkDN(r, "ldap.bindDN", l.BindDN)
	}
}

// checkLDAPURL never echoes an unparsable URL: it might hold a password
// someone put in its user part.
func checkLDAPURL(r *report, path, s string, startTLS bool) bool {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		r.add(path, "is not a valid URL such as ldaps://ldap.example.com")
	case u.Scheme != "ldap" && u.Scheme != "ldaps":
		r.add(path, "scheme must be ldap or ldaps, not %q", u.Scheme)
	case u.Host == "":
		r.add(path, "needs a host, e.g. ldaps://ldap.example.com")
	case u.User != nil:
		r.add(path, "must not contain user information (use ldap.bindDN with ldap.bindPasswordFile or ldap.bindPasswordEnv)")
	case u.Scheme == "ldaps" && startTLS:
		r.add(path, "ldaps cannot be combined with ldap.startTLS (the connection is already encrypted)")
	default:
		return true
	}
	return false
}

// checkLDAPBindPassword wants exactly one source for the bind password. Both
// set is an error even for the embedded directory: which one was meant?
// checkUsersDirectory: people may live in a directory of their own
// (ldap.users.urls), reached with keys of its own; and the profile's
// choices must be ones the code knows.
func checkUsersDirectory(c *Config, r *report) {
	u := c.LDAP.Users
	r.oneOf("ldap.users.profile", u.Profile, ProfileOpenLDAP, ProfileActiveDirectory)
	for i, s := range u.URLs {
		path := indexPath("ldap.users.urls", i)
		if checkLDAPURL(r, path, s, u.StartTLS) && slices.Index(u.URLs, s) < i {
			r.add(path, "%q is listed twice", s)
		}
	}
	if len(u.URLs) > 0 {
		checkDN(r, "ldap.users.bindDN", u.BindDN)
	}
	switch {
	case u.BindPasswordFile != "" && u.BindPasswordEnv != "":
		r.add("ldap.users.bindPasswordFile", "cannot be used together with ldap.users.bindPasswordEnv (set only one)")
	case len(u.URLs) > 0 && u.BindPasswordFile == "" && u.BindPasswordEnv == "":
		r.add("ldap.users.bindPasswordFile", "ldap.users.bindPasswordFile or ldap.users.bindPasswordEnv is required when ldap.users.urls is set")
	case len(u.URLs) == 0 && (u.BindDN != "" || u.BindPasswordFile != "" || u.BindPasswordEnv != "" || u.CAFile != "" || u.StartTLS):
		r.add("ldap.users.urls", "is required when the users' directory has connection settings of its own (bindDN, bindPassword…, caFile, startTLS)")
	}
	if u.SubjectEncoding != "" {
		r.oneOf("ldap.users.subjectEncoding", u.SubjectEncoding, "guid")
	}
	if u.PPolicyDefaultDN != "" {
		checkDN(r, "ldap.users.ppolicyDefaultDN", u.PPolicyDefaultDN)
	}
	if u.Groups.Nested != "" {
		r.oneOf("ldap.users.groups.nested", u.Groups.Nested, "walk")
	}
	if u.Groups.MaxDepth < 0 || u.Groups.MaxDepth > 64 {
		r.add("ldap.users.groups.maxDepth", "must be between 1 and 64, not %d", u.Groups.MaxDepth)
	}
	checkPasswordChange(c, r)
}

// checkPasswordChange: Active Directory takes a password only over an
// encrypted connection, so unicodePwd needs ldaps:// or StartTLS to the
// users' directory.
func checkPasswordChange(c *Config, r *report) {
	u := c.LDAP.Users
	if u.PasswordChange == "" || !r.oneOf("ldap.users.passwordChange", u.PasswordChange, "passwordModify", "unicodePwd", "none") ||
		u.PasswordChange != "unicodePwd" {
		return
	}
	urls, startTLS := u.URLs, u.StartTLS
	if len(urls) == 0 {
		urls, startTLS = c.LDAP.URLs, c.LDAP.StartTLS
	}
	if len(urls) == 0 {
		r.add("ldap.users.passwordChange", "unicodePwd needs an Active Directory in ldap.users.urls or ldap.urls")
		return
	}
	for _, s := range urls {
		if !strings.HasPrefix(strings.ToLower(s), "ldaps://") && !startTLS {
			r.add("ldap.users.passwordChange", "unicodePwd needs ldaps:// or startTLS: %s is neither", s)
			return
		}
	}
}

func checkLDAPBindPassword(c *Config, r *report) {
	l := c.LDAP
	switch {
	case l.BindPasswordFile != "" && l.BindPasswordEnv != "":
		r.add("ldap.bindPasswordFile", "cannot be used together with ldap.bindPasswordEnv (set only one)")
	case len(l.URLs) > 0 && l.BindPasswordFile == "" && l.BindPasswordEnv == "":
		r.add("ldap.bindPasswordFile", "ldap.bindPasswordFile or ldap.bindPasswordEnv is required when ldap.urls is set")
	}
}

// checkEmbedded applies when ldap.urls is empty and the in-process directory
// is used. It is meant for development and has no transport security, so it
// listens on loopback only.
func checkEmbedded(c *Config, r *report) {
	if len(c.LDAP.URLs) > 0 {
		return
	}
	e := c.LDAP.Embedded
	r.required("ldap.embedded.seed", e.Seed)
	r.required("ldap.embedded.data", e.Data)
	if r.hostPort("ldap.embedded.listen", e.Listen) && !isLoopbackListen(e.Listen) {
		r.add("ldap.embedded.listen", "must be a loopback address such as 127.0.0.1:3389, not %q", e.Listen)
	}
}

func checkLDAPLimits(c *Config, r *report) {
	l := c.LDAP
	r.positive("ldap.timeout", l.Timeout)
	r.positive("ldap.probeInterval", l.ProbeInterval)
	// A probe timeout above ldap.timeout is cut to it by the pool.
	r.positive("ldap.probeTimeout", l.ProbeTimeout)
	r.positive("ldap.upProbeInterval", l.UpProbeInterval)
	if l.PoolSize < 1 || l.PoolSize > 1024 {
		r.add("ldap.poolSize", "must be between 1 and 1024, not %d", l.PoolSize)
	}
}

func checkBaseDNs(c *Config, r *report) {
	l := c.LDAP
	checkDN(r, "ldap.clients.baseDN", l.Clients.BaseDN)
	checkDN(r, "ldap.authorizations.baseDN", l.Authorizations.BaseDN)
	checkDN(r, "ldap.users.baseDN", l.Users.BaseDN)
	checkDN(r, "ldap.users.groups.baseDN", l.Users.Groups.BaseDN)
}

func checkUserSearch(c *Config, r *report) {
	u := c.LDAP.Users
	checkFilter(r, "ldap.users.filter", u.Filter, "{username}")
	r.required("ldap.users.subjectAttribute", u.SubjectAttribute)
}

func checkGroupSearch(c *Config, r *report) {
	g := c.LDAP.Users.Groups
	checkFilter(r, "ldap.users.groups.filter", g.Filter, "{dn}")
	r.required("ldap.users.groups.nameAttribute", g.NameAttribute)
	if r.required("ldap.users.groups.claim", g.Claim) {
		if _, clash := c.LDAP.Users.Claims[g.Claim]; clash {
			r.add("ldap.users.groups.claim", "%q is also mapped in ldap.users.claims", g.Claim)
		}
		checkNotProtocolClaim(r, "ldap.users.groups.claim", g.Claim)
	}
}

// checkClaims: each claim needs an attribute, and claims that the protocol
// itself sets cannot come from the directory (a directory value for "sub" or
// "aud" would let whoever edits the directory forge them).
func checkClaims(c *Config, r *report) {
	claims := c.LDAP.Users.Claims
	for _, claim := range slices.Sorted(maps.Keys(claims)) {
		path := joinPath("ldap.users.claims", claim)
		switch {
		case strings.TrimSpace(claim) == "":
			r.add("ldap.users.claims", "claim names must not be empty")
		case strings.TrimSpace(claims[claim]) == "":
			r.add(path, "needs an LDAP attribute name")
		default:
			checkNotProtocolClaim(r, path, claim)
		}
	}
}

func checkNotProtocolClaim(r *report, path, claim string) {
	if slices.Contains(protocolClaims(), claim) {
		r.add(path, "%q is set by Gatehouse itself and cannot come from the directory", claim)
	}
}

// protocolClaims are the ID token claims defined by OpenID Connect Core 1.0
// §2 and §3.1.3.6 (plus "sid" from Front-Channel Logout and "jti") that the
// provider computes.
func protocolClaims() []string {
	return []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "auth_time", "nonce", "acr", "amr", "azp", "at_hash", "c_hash", "s_hash", "sid"}
}

func checkDN(r *report, path, dn string) {
	if !r.required(path, dn) {
		return
	}
	if _, err := ldap.ParseDN(dn); err != nil {
		r.add(path, "is not a valid DN: %v", err)
	}
}

// checkFilter makes sure the placeholder the directory code substitutes is
// present and that the filter compiles once it is filled in.
func checkFilter(r *report, path, filter, placeholder string) {
	if !r.required(path, filter) {
		return
	}
	if !strings.Contains(filter, placeholder) {
		r.add(path, "must contain the %s placeholder", placeholder)
		return
	}
	if _, err := ldap.CompileFilter(strings.ReplaceAll(filter, placeholder, "x")); err != nil {
		r.add(path, "is not a valid LDAP filter: %s", filterError(err))
	}
}

// filterError drops go-ldap's "LDAP Result Code 201 ..." wrapper, which says
// nothing to someone editing a configuration file.
func filterError(err error) string {
	var ldapErr *ldap.Error
	if errors.As(err, &ldapErr) && ldapErr.Err != nil {
		err = ldapErr.Err
	}
	return strings.TrimPrefix(err.Error(), "ldap: ")
}
