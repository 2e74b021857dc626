package ldapstore

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Names a client entry is made of besides the fields in clientFields. The
// names of the 1.15 schema are kept so that directories written by other
// servers are read as they are; Gatehouse's own additions live in the
// auxiliary class gatehouseClient and leave the 1.15 classes as they are.
const (
	attrObjectClass = "objectClass"
	attrClientID    = "oauthClientID"
	attrMail        = "mail"
	// attrClientData holds, as one JSON object, the members without an
	// attribute of their own: unknown members (Metadata.Extra) and lists
	// given as present but empty, which LDAP cannot hold as values. A
	// known member found in it is read into its field, unless the field's
	// own attribute is there too.
	attrClientData = "oauthClientData"
	// attrVersion changes on every write by Gatehouse, for compare-and-swap.
	attrVersion = "gatehouseVersion"

	classGatehouseClient = "gatehouseClient"
)

// clientClasses are the object classes of entries Gatehouse creates. Each
// of the first three is a subclass of the one before; a directory may hold
// entries with only oidcRelyingParty, or without gatehouseClient.
var clientClasses = []string{"oauthClientIdentity", "oauthClientMetadata", "oidcRelyingParty", classGatehouseClient}

// formatGeneralizedTime writes t as a GeneralizedTime (RFC 4517
// §3.3.13): UTC, whole seconds, and a fraction of ".0". The fraction is
// optional in the RFC and taken by every directory, but Samba AD takes
// nothing else.
func formatGeneralizedTime(t time.Time) string {
	return t.UTC().Format("20060102150405") + ".0Z"
}

// field maps one part of a Client to one attribute. A language-tagged field
// (lang set) also owns the attribute's ";lang-xx" variants.
type field struct {
	attr string
	lang func(*oauth.Client) *oauth.LangString
	// put returns the values to write, none when the field is absent.
	put func(*oauth.Client) ([]string, error)
	// get reads the values found in the directory.
	get func(*oauth.Client, []string) error
	// list is set for list fields, whose present-but-empty form is kept in
	// oauthClientData.
	list func(*oauth.Client) *[]string
}

// clientFields is every attribute of a client entry except objectClass,
// oauthClientData and gatehouseVersion, in the order they are written.
var clientFields = []field{
	text("oauthClientID", func(c *oauth.Client) *string { return &c.ID }),
	stamp("oauthClientIDIssueTime", func(c *oauth.Client) *time.Time { return &c.IDIssuedAt }),
	text("oauthClientSecret", func(c *oauth.Client) *string { return &c.Secret }),
	stamp("oauthClientSecretExp", func(c *oauth.Client) *time.Time { return &c.SecretExpiresAt }),
	text("oauthClientRegistrationAccessToken", func(c *oauth.Client) *string { return &c.LegacyRegistrationToken }),
	text("oauthClientRegistrationURI", func(c *oauth.Client) *string { return &c.RegistrationURI }),

	multi("oauthRedirectURI", func(c *oauth.Client) *[]string { return &c.Metadata.RedirectURIs }),
	lang("oauthClientName", func(c *oauth.Client) *oauth.LangString { return &c.Metadata.ClientName }),
	lang("oauthClientURI", func(c *oauth.Client) *oauth.LangString { return &c.Metadata.ClientURI }),
	lang("oauthLogoURI", func(c *oauth.Client) *oauth.LangString { return &c.Metadata.LogoURI }),
	lang("oauthTermsOfServiceURI", func(c *oauth.Client) *oauth.LangString { return &c.Metadata.TOSURI }),
	lang("oauthPolicyURI", func(c *oauth.Client) *oauth.LangString { return &c.Metadata.PolicyURI }),
	text("oauthTokenEndpointAuthMethod", func(c *oauth.Client) *string { return &c.Metadata.TokenEndpointAuthMethod }),
	text("oauthTokenEndpointJWSAlg", func(c *oauth.Client) *string { return &c.Metadata.TokenEndpointAuthSigningAlg }),
	multi("oauthScopeValue", func(c *oauth.Client) *[]string { return &c.Metadata.Scope }),
	multi("oauthGrantType", func(c *oauth.Client) *[]string { return &c.Metadata.GrantTypes }),
	multi("oauthResponseType", func(c *oauth.Client) *[]string { return &c.Metadata.ResponseTypes }),
	text("oauthJWKSetURI", func(c *oauth.Client) *string { return &c.Metadata.JWKSURI }),
	jsonObject("oauthJWKSet", func(c *oauth.Client) *[]byte { return (*[]byte)(&c.Metadata.JWKS) }),
	text("oauthSoftwareID", func(c *oauth.Client) *string { return &c.Metadata.SoftwareID }),
	text("oauthSoftwareVersion", func(c *oauth.Client) *string { return &c.Metadata.SoftwareVersion }),
	flag("oauthRequirePAR", func(c *oauth.Client) *bool { return &c.Metadata.RequirePushedAuthorizationRequests }),
	flag("oauthClientCertBoundAccessTokens", func(c *oauth.Client) *bool { return &c.Metadata.TLSClientCertificateBoundAccessTokens }),

	text("oidcAppType", func(c *oauth.Client) *string { return &c.Metadata.ApplicationType }),
	text("oidcSectorIdentifierURI", func(c *oauth.Client) *string { return &c.Metadata.SectorIdentifierURI }),
	text("oidcSubjectType", func(c *oauth.Client) *string { return &c.Metadata.SubjectType }),
	text("oidcRequestJWSAlg", func(c *oauth.Client) *string { return &c.Metadata.RequestObjectSigningAlg }),
	text("oidcRequestJWEAlg", func(c *oauth.Client) *string { return &c.Metadata.RequestObjectEncryptionAlg }),
	text("oidcRequestJWEEnc", func(c *oauth.Client) *string { return &c.Metadata.RequestObjectEncryptionEnc }),
	multi("oidcRequestURI", func(c *oauth.Client) *[]string { return &c.Metadata.RequestURIs }),
	text("oidcIDTokenJWSAlg", func(c *oauth.Client) *string { return &c.Metadata.IDTokenSignedResponseAlg }),
	text("oidcIDTokenJWEAlg", func(c *oauth.Client) *string { return &c.Metadata.IDTokenEncryptedResponseAlg }),
	text("oidcIDTokenJWEEnc", func(c *oauth.Client) *string { return &c.Metadata.IDTokenEncryptedResponseEnc }),
	text("oidcUserInfoJWSAlg", func(c *oauth.Client) *string { return &c.Metadata.UserinfoSignedResponseAlg }),
	text("oidcUserInfoJWEAlg", func(c *oauth.Client) *string { return &c.Metadata.UserinfoEncryptedResponseAlg }),
	text("oidcUserInfoJWEEnc", func(c *oauth.Client) *string { return &c.Metadata.UserinfoEncryptedResponseEnc }),
	number("oidcDefaultMaxAge", func(c *oauth.Client) **int { return &c.Metadata.DefaultMaxAge }),
	flag("oidcRequireAuthTime", func(c *oauth.Client) *bool { return &c.Metadata.RequireAuthTime }),
	multi("oidcDefaultACR", func(c *oauth.Client) *[]string { return &c.Metadata.DefaultACRValues }),
	text("oidcInitiateLoginURI", func(c *oauth.Client) *string { return &c.Metadata.InitiateLoginURI }),
	multi("oidcPostLogoutRedirectURI", func(c *oauth.Client) *[]string { return &c.Metadata.PostLogoutRedirectURIs }),
	text("oidcFrontChannelLogoutURI", func(c *oauth.Client) *string { return &c.Metadata.FrontchannelLogoutURI }),
	flag("oidcFrontChannelLogoutSessionRequired", func(c *oauth.Client) *bool { return &c.Metadata.FrontchannelLogoutSessionRequired }),
	text("oidcBackChannelLogoutURI", func(c *oauth.Client) *string { return &c.Metadata.BackchannelLogoutURI }),
	flag("oidcBackChannelLogoutSessionRequired", func(c *oauth.Client) *bool { return &c.Metadata.BackchannelLogoutSessionRequired }),
	multi(attrMail, func(c *oauth.Client) *[]string { return &c.Metadata.Contacts }),

	text("oauthTLSClientAuthSubjectDN", func(c *oauth.Client) *string { return &c.Metadata.TLSClientAuthSubjectDN }),
	text("oauthTLSClientAuthSANDNS", func(c *oauth.Client) *string { return &c.Metadata.TLSClientAuthSANDNS }),
	text("oauthTLSClientAuthSANURI", func(c *oauth.Client) *string { return &c.Metadata.TLSClientAuthSANURI }),
	text("oauthTLSClientAuthSANIP", func(c *oauth.Client) *string { return &c.Metadata.TLSClientAuthSANIP }),
	text("oauthTLSClientAuthSANEmail", func(c *oauth.Client) *string { return &c.Metadata.TLSClientAuthSANEmail }),
	text("oauthAuthorizationResponseJWSAlg", func(c *oauth.Client) *string { return &c.Metadata.AuthorizationSignedResponseAlg }),
	text("oauthAuthorizationResponseJWEAlg", func(c *oauth.Client) *string { return &c.Metadata.AuthorizationEncryptedResponseAlg }),
	text("oauthAuthorizationResponseJWEEnc", func(c *oauth.Client) *string { return &c.Metadata.AuthorizationEncryptedResponseEnc }),

	text("gatehousePreviousClientSecret", func(c *oauth.Client) *string { return &c.PreviousSecret }),
	stamp("gatehousePreviousClientSecretExp", func(c *oauth.Client) *time.Time { return &c.PreviousSecretExpiresAt }),
	text("gatehouseRegistrationTokenHash", func(c *oauth.Client) *string { return &c.RegistrationTokenHash }),
}

var (
	lowerObjectClass = strings.ToLower(attrObjectClass)
	lowerVersion     = strings.ToLower(attrVersion)
	lowerClientData  = strings.ToLower(attrClientData)
)

// fieldsByAttr finds a field by its attribute name in lower case.
var fieldsByAttr = func() map[string]field {
	idx := make(map[string]field, len(clientFields))
	for _, f := range clientFields {
		idx[strings.ToLower(f.attr)] = f
	}
	return idx
}()

// attrValue is one attribute of an entry.
type attrValue struct {
	desc   string // attribute description as written or as the server spelled it
	base   string // attribute type in lower case
	tag    string // language tag without "lang-"; "" for none
	values []string
}

// key identifies the attribute whatever the case it is spelled in.
func (a attrValue) key() string { return attrKey(a.base, a.tag) }

func attrKey(base, tag string) string {
	if tag == "" {
		return base
	}
	return base + ";lang-" + strings.ToLower(tag)
}

// entryState is what a client entry holds, as far as Gatehouse cares.
type entryState struct {
	dn       string
	attrs    map[string]attrValue // the attributes clientFields and oauthClientData own, by key
	versions []string             // gatehouseVersion
	classes  []string             // objectClass
}

func (s entryState) hasClass(name string) bool {
	return slices.ContainsFunc(s.classes, func(c string) bool { return strings.EqualFold(c, name) })
}

// readEntry sorts an entry's attributes. Attributes of other schemas, and
// ours with options other than a language tag, are not Gatehouse's and are
// left out: updates never touch them.
func readEntry(e *ldap.Entry) entryState {
	st := entryState{dn: e.DN, attrs: make(map[string]attrValue)}
	for _, a := range e.Attributes {
		base, opt, hasOpt := strings.Cut(a.Name, ";")
		lbase := strings.ToLower(base)
		switch lbase {
		case lowerObjectClass:
			st.classes = append(st.classes, a.Values...)
			continue
		case lowerVersion:
			if !hasOpt {
				st.versions = append(st.versions, a.Values...)
			}
			continue
		}
		f, known := fieldsByAttr[lbase]
		if !known && lbase != lowerClientData {
			continue
		}
		var tag string
		if hasOpt {
			lang, ok := cutPrefixFold(opt, "lang-")
			if !ok || f.lang == nil || strings.Contains(lang, ";") {
				continue
			}
			tag = lang
		}
		av := attrValue{desc: a.Name, base: lbase, tag: tag, values: a.Values}
		if prev, dup := st.attrs[av.key()]; dup { // spelled twice; servers do not, but be safe
			av.values = append(slices.Clone(prev.values), av.values...)
		}
		st.attrs[av.key()] = av
	}
	return st
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return "", false
	}
	return s[len(prefix):], true
}

// decodeClient reads a client out of an entry. A value that cannot be read
// fails the whole client with a MalformedEntryError naming the attribute.
func decodeClient(st entryState) (oauth.Client, error) {
	var c oauth.Client
	// oauthClientData first: the attributes that follow take precedence
	// over members of the same name in it.
	if a, ok := st.attrs[lowerClientData]; ok {
		if err := decodeData(&c, a.values); err != nil {
			return oauth.Client{}, malformed(st, a.desc, err)
		}
	}
	for _, f := range clientFields {
		if err := f.decode(&c, st); err != nil {
			return oauth.Client{}, err
		}
	}
	if c.ID == "" {
		return oauth.Client{}, malformed(st, attrClientID, errors.New("missing"))
	}
	c.Version = strings.Join(st.versions, " ")
	return c, nil
}

func malformed(st entryState, attr string, err error) error {
	return &MalformedEntryError{DN: st.dn, Attribute: attr, Err: err}
}

func (f field) decode(c *oauth.Client, st entryState) error {
	if f.lang == nil {
		a, ok := st.attrs[strings.ToLower(f.attr)]
		if !ok {
			return nil
		}
		if err := f.get(c, a.values); err != nil {
			return malformed(st, a.desc, err)
		}
		return nil
	}
	base := strings.ToLower(f.attr)
	var found []attrValue
	for _, a := range st.attrs {
		if a.base == base {
			found = append(found, a)
		}
	}
	// In key order, so that of two bad values the same one is reported.
	slices.SortFunc(found, func(a, b attrValue) int { return strings.Compare(a.key(), b.key()) })
	for _, a := range found {
		if err := decodeLang(f.lang(c), a); err != nil {
			return malformed(st, a.desc, err)
		}
	}
	return nil
}

func decodeLang(dst *oauth.LangString, a attrValue) error {
	v, err := single(a.values)
	if err != nil {
		return err
	}
	tag := a.tag
	if tag != "" {
		canon, ok := oauth.CanonicalLangTag(tag)
		if !ok {
			return fmt.Errorf("invalid language tag %q", tag)
		}
		tag = canon
	}
	if v == "" {
		return nil
	}
	if *dst == nil {
		*dst = oauth.LangString{}
	}
	(*dst)[tag] = v
	return nil
}

func decodeData(c *oauth.Client, values []string) error {
	v, err := single(values)
	if err != nil {
		return err
	}
	if !isJSONObject([]byte(v)) {
		return errors.New("not a JSON object")
	}
	return c.Metadata.UnmarshalJSON([]byte(v))
}

// encodeClient returns the attributes that hold c, in writing order,
// objectClass and gatehouseVersion aside. It refuses values a directory
// would refuse or could not give back as they were: an empty value in a
// list, a value repeated in a list, two language tags that differ only in
// case, a jwks that is not a JSON object. Language-tagged values become
// attribute options, and contacts values of mail, or members of
// oauthClientData where the directory cannot hold them so (see dialect).
func encodeClient(c oauth.Client, d dialect) ([]attrValue, error) {
	var out []attrValue
	for _, f := range clientFields {
		attrs, err := f.encode(&c)
		if err != nil {
			return nil, err
		}
		attrs = slices.DeleteFunc(attrs, func(a attrValue) bool { return d.inData(a) })
		out = append(out, attrs...)
	}
	data, err := encodeData(c, d)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", attrClientData, err)
	}
	if data != "" {
		out = append(out, attrValue{desc: attrClientData, base: lowerClientData, values: []string{data}})
	}
	return out, nil
}

func (f field) encode(c *oauth.Client) ([]attrValue, error) {
	base := strings.ToLower(f.attr)
	if f.lang == nil {
		values, err := f.put(c)
		if err != nil || len(values) == 0 {
			return nil, wrapAttr(f.attr, err)
		}
		return []attrValue{{desc: f.attr, base: base, values: values}}, nil
	}
	var out []attrValue
	seen := make(map[string]bool)
	values := *f.lang(c)
	for _, tag := range slices.Sorted(maps.Keys(values)) {
		v := values[tag]
		if v == "" {
			continue
		}
		desc := f.attr
		if tag != "" {
			canon, ok := oauth.CanonicalLangTag(tag)
			if !ok {
				return nil, fmt.Errorf("%s: invalid language tag %q", f.attr, tag)
			}
			tag = canon
			desc += ";lang-" + tag
		}
		if seen[tag] {
			return nil, fmt.Errorf("%s: language tag %q given twice", f.attr, tag)
		}
		seen[tag] = true
		out = append(out, attrValue{desc: desc, base: base, tag: tag, values: []string{v}})
	}
	return out, nil
}

func wrapAttr(attr string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", attr, err)
}

// encodeData writes oauthClientData: the Extra members, the lists that
// are present but empty, with d.tagsInData the language-tagged values
// (client_name#de, as RFC 7591 §2.2 names them), and with
// d.contactsInData the contacts. It returns "" when there are none.
func encodeData(c oauth.Client, d dialect) (string, error) {
	part := oauth.Client{Metadata: oauth.Metadata{Extra: c.Metadata.Extra}}
	for _, f := range clientFields {
		if f.list != nil {
			if v := *f.list(&c); v != nil && len(v) == 0 {
				*f.list(&part) = []string{}
			}
		}
		if f.lang != nil && d.tagsInData {
			*f.lang(&part) = tagged(*f.lang(&c))
		}
	}
	if d.contactsInData && len(c.Metadata.Contacts) > 0 {
		part.Metadata.Contacts = c.Metadata.Contacts
	}
	raw, err := part.Metadata.MarshalJSON()
	if err != nil || string(raw) == "{}" {
		return "", err
	}
	return string(raw), nil
}

// tagged is the part of s with a language tag; nil when none.
func tagged(s oauth.LangString) oauth.LangString {
	var out oauth.LangString
	for tag, v := range s {
		if tag == "" {
			continue
		}
		if out == nil {
			out = oauth.LangString{}
		}
		out[tag] = v
	}
	return out
}

// stateOf is the entry that attrs and a version make, as readEntry would
// see it: decoding it gives the client exactly as a later read will.
func stateOf(dn string, attrs []attrValue, version string) entryState {
	st := entryState{dn: dn, attrs: make(map[string]attrValue, len(attrs)), versions: []string{version}}
	for _, a := range attrs {
		st.attrs[a.key()] = a
	}
	return st
}
