package ldapstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Placeholders in the configured filters. Each is replaced by the escaped
// value wherever it occurs, so a filter may name it more than once, as in
// (|(uid={username})(mail={username})).
const (
	usernamePlaceholder = "{username}"
	dnPlaceholder       = "{dn}"
)

// maxUsernameLength and maxPasswordLength bound what Login sends to the
// directory (docs/limits.md). No login name is this long (an e-mail address
// has at most 254 octets); the bounds keep a megabyte of form input out of
// the search filter and the bind.
const (
	maxUsernameLength = oauth.MaxUsername
	maxPasswordLength = oauth.MaxPassword
)

// UsersConfig says where people are and what of their entry becomes
// claims. It mirrors ldap.users of the configuration file.
type UsersConfig struct {
	// BaseDN is searched, with its whole subtree, for people.
	BaseDN string
	// Filter finds the one entry of a login name; every {username} in it
	// is replaced by the name, escaped for a filter.
	Filter string
	// SubjectAttribute holds the stable identifier that becomes "sub":
	// entryUUID survives renames. It must have exactly one value.
	SubjectAttribute string
	// Claims maps an OpenID Connect claim name to the attribute it is read
	// from.
	Claims map[string]string
	// Groups says how groups are found; the zero value finds none.
	Groups GroupsConfig
	// SubjectEncoding says how the subject attribute's value becomes
	// "sub": "" takes it as text (entryUUID); "guid" reads 16 raw bytes
	// (Active Directory's objectGUID) and renders the canonical string
	// form, byte order as AD shows it.
	SubjectEncoding string
	// PasswordChange is how a person changes their own password:
	// "passwordModify" (RFC 3062, OpenLDAP), "unicodePwd" (Active
	// Directory: delete the old value and add the new one, over TLS), or
	// "" for none (the person is told to change it elsewhere).
	PasswordChange string
	// PPolicyDefaultDN is the ppolicy overlay's default policy
	// (olcPPolicyDefault), for entries without pwdPolicySubentry: its
	// pwdLockoutDuration says when a lock by failures ends. Empty: such
	// locks count until cleared (users_status_ppolicy.go).
	PPolicyDefaultDN string
}

// GroupsConfig says how the groups of a person are found.
type GroupsConfig struct {
	// BaseDN is searched, with its whole subtree, for groups.
	BaseDN string
	// Filter finds the groups of a person; every {dn} in it is replaced by
	// the person's DN, escaped for a filter.
	Filter string
	// NameAttribute names a group in the claim.
	NameAttribute string
	// Claim is the claim that lists the names, always as a []string.
	Claim string
	// Nested says how groups inside groups are found: "" not at all (the
	// filter's direct matches only, or whatever the filter itself does, as
	// Active Directory's transitive matching rule
	// 1.2.840.113556.1.4.1941 does); "walk" searches again for the groups
	// that hold the groups found, up to MaxDepth levels.
	Nested string
	// MaxDepth bounds the walk; 0 means 8.
	MaxDepth int
}

// Users finds people in the directory and checks their passwords by
// binding as them. It searches with the pool's service account and binds
// on connections of its own that are used for nothing else, so a pooled
// service connection never changes identity.
//
// Login and Lookup answer with a person's claims read afresh; nothing is
// cached. Close it when done, to close the binding connections.
type Users struct {
	pool  *Pool // bound as the service account: every search
	binds *Pool // never bound as the service account: people's binds only
	cfg   UsersConfig
	log   *slog.Logger
	// attrs are requested from a person's entry: the subject attribute and
	// the claims' attributes, each once.
	attrs []string
	// lookupAttrs are attrs and the account's status attributes, which
	// Lookup reads to refuse a closed account (users_active.go).
	lookupAttrs []string
	// policies caches password policies read by AccountStatus; now is
	// its clock, a seam for tests.
	policies *policyCache
	now      func() time.Time
}

// NewUsers checks cfg and returns the user directory. It does not dial.
// Close releases the connections it opens for people's binds.
func NewUsers(pool *Pool, cfg UsersConfig) (*Users, error) {
	if pool == nil {
		return nil, errors.New("users: no connection pool")
	}
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	cfg.Claims = cloneMap(cfg.Claims)
	attrs := []string{cfg.SubjectAttribute}
	for _, claim := range sortedKeys(cfg.Claims) {
		attrs = appendFold(attrs, cfg.Claims[claim])
	}
	u := &Users{pool: pool, binds: pool.forBinds(), cfg: cfg, log: pool.log, attrs: attrs,
		policies: newPolicyCache(), now: time.Now}
	u.lookupAttrs = append(append([]string(nil), attrs...), statusAttrs...)
	return u, nil
}

// Close closes the connections kept for people's binds. The service pool
// is the caller's, and stays open.
func (u *Users) Close() { u.binds.Close() }

// Login finds the one entry of username and binds as it with password.
//
// An empty username or password is LoginInvalid before anything is sent:
// a bind with a name and no password is an unauthenticated bind (RFC 4513
// §5.1.2), which many servers answer with success. So is a username that
// is not UTF-8 or longer than any login name (1024 bytes).
//
// No entry, more than one entry (logged: the filter is too loose) and a
// wrong password are all LoginInvalid with a nil error, so the caller
// cannot tell them apart. The directory's password policy, where it
// answers with the ppolicy control, gives LoginLocked, LoginExpired or
// LoginMustChange; Active Directory's "data" sub-codes give those and
// LoginDisabled, LoginAccountExpired and LoginNotPermitted
// (users_ad_bind.go). The User is returned with LoginOK alone.
//
// Any other failure is an error, with LoginInvalid: an outage wraps
// ErrUnavailable; an entry without exactly one subject value is a
// misconfiguration, logged with its DN.
func (u *Users) Login(ctx context.Context, username, password string) (oauth.User, oauth.LoginOutcome, error) {
	return u.login(ctx, username, password, true)
}

// LoginWithoutGroups is Login without the groups search: one search and
// one bind. A sign-in needs only the subject (tokens read the person
// afresh when they are issued), so the groups Login would read are wasted
// on it; User.Claims holds the entry's own claims.
func (u *Users) LoginWithoutGroups(ctx context.Context, username, password string) (oauth.User, oauth.LoginOutcome, error) {
	return u.login(ctx, username, password, false)
}

func (u *Users) login(ctx context.Context, username, password string, withGroups bool) (oauth.User, oauth.LoginOutcome, error) {
	if username == "" || password == "" || len(username) > maxUsernameLength || len(password) > maxPasswordLength ||
		!utf8.ValidString(username) {
		return oauth.User{}, oauth.LoginInvalid, nil
	}
	entries, err := u.search(ctx, u.loginFilter(username))
	if err != nil {
		return oauth.User{}, oauth.LoginInvalid, fmt.Errorf("find user: %w", err)
	}
	switch {
	case len(entries) == 0:
		return oauth.User{}, oauth.LoginInvalid, nil
	case len(entries) > 1:
		u.log.Warn("login name matches more than one entry; refusing it: make ldap.users.filter stricter",
			"username", username, "dns", dnsOf(entries))
		return oauth.User{}, oauth.LoginInvalid, nil
	}
	entry := entries[0]
	outcome, err := u.bind(ctx, entry.DN, password)
	if err != nil || outcome != oauth.LoginOK {
		return oauth.User{}, outcomeOrInvalid(outcome, err), err
	}
	user, err := u.user(ctx, entry, username, withGroups)
	if err != nil {
		return oauth.User{}, oauth.LoginInvalid, err
	}
	return user, oauth.LoginOK, nil
}

// outcomeOrInvalid never lets an error travel with LoginOK, the zero
// value, so that a caller who forgets the error still refuses the login.
func outcomeOrInvalid(outcome oauth.LoginOutcome, err error) oauth.LoginOutcome {
	if err != nil {
		return oauth.LoginInvalid
	}
	return outcome
}

// Lookup reads the person whose subject attribute holds exactly subject,
// with claims and groups as they are now. Subjects are compared as exact
// strings (OpenID Connect Core §2: "sub" is case sensitive), whatever the
// attribute's matching rule. With the guid encoding only the canonical
// form that Login gives is a subject; it is searched for by its 16 bytes.
// Nobody with that subject is ErrNotFound; a person who may no longer
// sign in — account disabled, expired or locked by an administrator, or
// no longer matched by the login filter — is ErrInactive, which is also
// ErrNotFound (users_active.go). A lock by failed passwords is not
// refused.
func (u *Users) Lookup(ctx context.Context, subject string) (oauth.User, error) {
	return u.lookup(ctx, subject, true)
}

// LookupWithoutGroups is Lookup without the groups search: one search,
// for callers that release no groups claim (a consent page showing the
// person's name, a token whose scopes do not include groups).
func (u *Users) LookupWithoutGroups(ctx context.Context, subject string) (oauth.User, error) {
	return u.lookup(ctx, subject, false)
}

func (u *Users) lookup(ctx context.Context, subject string, withGroups bool) (oauth.User, error) {
	filter, ok := u.lookupFilter(subject)
	if !ok {
		return oauth.User{}, fmt.Errorf("user %q: %w", subject, ErrNotFound)
	}
	entries, err := u.searchAttrs(ctx, filter, u.lookupAttrs)
	if err != nil {
		return oauth.User{}, fmt.Errorf("look up user %q: %w", subject, err)
	}
	// Keep only exact matches: the matching rule may fold case or spaces.
	var found []*ldap.Entry
	for _, e := range entries {
		if s, err := u.subjectOf(e); err == nil && s == subject {
			found = append(found, e)
		}
	}
	switch {
	case len(found) == 0:
		bySubject, _ := u.subjectFilter(subject)
		return oauth.User{}, u.notFound(ctx, subject, bySubject)
	case len(found) > 1:
		u.log.Error("subject names more than one entry", "subject", subject, "dns", dnsOf(found))
		return oauth.User{}, fmt.Errorf("user %q: %d entries hold the subject %s", subject, len(found), u.cfg.SubjectAttribute)
	}
	if err := u.refuseInactive(found[0]); err != nil {
		return oauth.User{}, err
	}
	return u.user(ctx, found[0], u.username(found[0]), withGroups)
}

// loginFilter is the configured filter for one login name: the one place
// where the name is escaped (RFC 4515 §3).
func (u *Users) loginFilter(username string) string {
	return strings.ReplaceAll(u.cfg.Filter, usernamePlaceholder, ldap.EscapeFilter(username))
}

// search returns the people matching filter, at most two: enough to tell
// one from several without reading a directory's worth of entries.
func (u *Users) search(ctx context.Context, filter string) ([]*ldap.Entry, error) {
	return u.searchAttrs(ctx, filter, u.attrs)
}

// searchAttrs is search asking for attrs.
func (u *Users) searchAttrs(ctx context.Context, filter string, attrs []string) ([]*ldap.Entry, error) {
	req := ldap.NewSearchRequest(u.cfg.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		2, 0, false, filter, attrs, nil)
	var entries []*ldap.Entry
	err := u.pool.DoIdempotentOp(ctx, OpSearch, func(conn *ldap.Conn) error {
		res, err := conn.Search(req)
		if res != nil {
			entries = res.Entries
		}
		return err
	})
	err = classify(err, opSearch)
	switch {
	case errors.Is(err, errSizeLimit) && len(entries) > 1:
		return entries, nil
	case ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject):
		return nil, fmt.Errorf("the users base DN %s does not exist: %w", u.cfg.BaseDN, err)
	case err != nil:
		return nil, err
	}
	return entries, nil
}

// user makes the User of an entry: subject, claims, and with withGroups
// the groups (a second search).
func (u *Users) user(ctx context.Context, e *ldap.Entry, username string, withGroups bool) (oauth.User, error) {
	subject, err := u.subject(e)
	if err != nil {
		return oauth.User{}, err
	}
	claims := u.claims(e)
	if withGroups && u.cfg.Groups.Filter != "" {
		groups, err := u.groups(ctx, e.DN)
		if err != nil {
			return oauth.User{}, err
		}
		if len(groups) > 0 {
			claims[u.cfg.Groups.Claim] = groups
		}
	}
	return oauth.User{Subject: subject, DN: e.DN, Username: username, Claims: claims}, nil
}

// subject reads the subject of an entry; an entry without one is a
// directory the configuration does not fit, and is logged.
func (u *Users) subject(e *ldap.Entry) (string, error) {
	subject, err := u.subjectOf(e)
	if err != nil {
		u.log.Error("user entry has no usable subject: check ldap.users.subjectAttribute and subjectEncoding",
			"dn", e.DN, "attribute", u.cfg.SubjectAttribute, "encoding", u.cfg.SubjectEncoding, "err", err)
		return "", fmt.Errorf("user entry %q: attribute %s: %w", e.DN, u.cfg.SubjectAttribute, err)
	}
	return subject, nil
}

// subjectOf reads the subject attribute, which must hold exactly one
// value: UTF-8 text, or with the guid encoding a 16-byte objectGUID,
// rendered in its canonical string form.
func (u *Users) subjectOf(e *ldap.Entry) (string, error) {
	if u.cfg.SubjectEncoding == subjectEncodingGUID {
		values := e.GetEqualFoldRawAttributeValues(u.cfg.SubjectAttribute)
		if len(values) != 1 {
			return "", fmt.Errorf("%d values, want one GUID", len(values))
		}
		return formatGUID(values[0])
	}
	values := e.GetEqualFoldAttributeValues(u.cfg.SubjectAttribute)
	if len(values) != 1 || values[0] == "" || !utf8.ValidString(values[0]) {
		return "", fmt.Errorf("%d values, want one UTF-8 value", len(values))
	}
	return values[0], nil
}

// subjectFilter finds the entry of a subject, or says that no entry can
// have it. A GUID is searched for by its raw bytes: Active Directory does
// not match objectGUID against the string form.
func (u *Users) subjectFilter(subject string) (string, bool) {
	if subject == "" || !utf8.ValidString(subject) {
		return "", false
	}
	value := ldap.EscapeFilter(subject)
	if u.cfg.SubjectEncoding == subjectEncodingGUID {
		raw, ok := parseGUID(subject)
		if !ok {
			return "", false
		}
		value = escapeBinary(raw)
	}
	return "(" + u.cfg.SubjectAttribute + "=" + value + ")", true
}

// username names a person found by subject: their preferred_username
// claim, when it is configured and a single value.
func (u *Users) username(e *ldap.Entry) string {
	attr, ok := u.cfg.Claims["preferred_username"]
	if !ok {
		return ""
	}
	if values := e.GetEqualFoldAttributeValues(attr); len(values) > 0 {
		return values[0]
	}
	return ""
}

func dnsOf(entries []*ldap.Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.DN
	}
	return out
}
