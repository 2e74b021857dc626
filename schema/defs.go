package schema

import "strconv"

// Arc is the OID arc of every definition Gatehouse ships: a 2.25 OID made
// from a random UUID (ITU-T X.667), so it needs no registration and clashes
// with nobody. Attribute types live under Arc.1, object classes under Arc.2;
// below each, one sub-arc per file (1 clients, 2 authorizations, 3 Gatehouse's
// own) and then a sequence number. Numbers are never reused.
const Arc = "2.25.71640906104342913530168958845193641142"

// Syntaxes of RFC 4517 used by the shipped schema.
const (
	SyntaxBoolean         = "1.3.6.1.4.1.1466.115.121.1.7"
	SyntaxDN              = "1.3.6.1.4.1.1466.115.121.1.12"
	SyntaxDirectoryString = "1.3.6.1.4.1.1466.115.121.1.15"
	SyntaxGeneralizedTime = "1.3.6.1.4.1.1466.115.121.1.24"
	SyntaxIA5String       = "1.3.6.1.4.1.1466.115.121.1.26"
	SyntaxInteger         = "1.3.6.1.4.1.1466.115.121.1.27"
)

// ClassKind is the kind of an object class (RFC 4512 section 2.4).
type ClassKind string

// The three kinds. A description without a kind keyword is structural.
const (
	Abstract   ClassKind = "ABSTRACT"
	Structural ClassKind = "STRUCTURAL"
	Auxiliary  ClassKind = "AUXILIARY"
)

// Extension is an "X-" element of a definition, such as OpenLDAP's
// X-ORDERED. The shipped schema has none; they are kept when a server's
// definitions are parsed so that a rewritten definition loses nothing.
type Extension struct {
	Name   string
	Values []string
}

// AttributeType is an attribute type description (RFC 4512 section 4.1.2).
// Matching rules are given by name, the syntax by numeric OID (with an
// optional {length} bound).
type AttributeType struct {
	OID                string
	Names              []string
	Desc               string
	Obsolete           bool
	Sup                string
	Equality           string
	Ordering           string
	Substr             string
	Syntax             string
	SingleValue        bool
	Collective         bool
	NoUserModification bool
	Usage              string
	Extensions         []Extension
}

// Name is the primary name, the one entries are written with.
func (a AttributeType) Name() string { return firstName(a.Names, a.OID) }

// ObjectClass is an object class description (RFC 4512 section 4.1.1).
type ObjectClass struct {
	OID        string
	Names      []string
	Desc       string
	Obsolete   bool
	Sup        []string
	Kind       ClassKind // empty means STRUCTURAL
	Must       []string
	May        []string
	Extensions []Extension
}

// Name is the primary name, the one entries are written with.
func (c ObjectClass) Name() string { return firstName(c.Names, c.OID) }

func firstName(names []string, oid string) string {
	if len(names) == 0 {
		return oid
	}
	return names[0]
}

// Kinds of schema file, as "gatehouse schema print --kind" takes them.
const (
	KindClient = "client" // client registrations
	KindAuthz  = "authz"  // long-lived authorizations
	KindAll    = "all"    // everything; also the kind of a set every kind needs
)

// Set is the content of one schema file: definitions that are loaded
// together, attribute types first. Sets load in the order Sets returns
// them; a set refers only to its own definitions and to the standard
// schemas (core, cosine, inetorgperson).
type Set struct {
	Name       string // file name without ".ldif"; the cn of the cn=config entry
	Kind       string // KindClient, KindAuthz, or KindAll for a set every kind needs
	Title      string // one line for the file header
	Attributes []AttributeType
	Classes    []ObjectClass
}

// Sets returns the shipped schema, one set per file, in load order. Each call
// returns fresh values that the caller may change.
func Sets() []Set {
	return []Set{clientSet(), authzSet(), gatehouseSet()}
}

// For reports whether the set belongs in a selection of the given kind.
func (s Set) For(kind string) bool {
	return kind == KindAll || s.Kind == KindAll || s.Kind == kind
}

// oid numbers a definition: kind 1 for attribute types, 2 for object
// classes; file 1 clients, 2 authorizations, 3 Gatehouse's own.
func oid(kind, file, n int) string {
	return Arc + "." + strconv.Itoa(kind) + "." + strconv.Itoa(file) + "." + strconv.Itoa(n)
}

const (
	arcAttribute = 1
	arcClass     = 2

	fileClient    = 1
	fileAuthz     = 2
	fileGatehouse = 3
)

// The value kinds of the tables below. Each fixes syntax and matching rules;
// every attribute starts single-valued and .multi() lifts that. The choices
// are explained in README.md ("Syntaxes and matching").

// exact is text compared case-sensitively: identifiers, secrets, tokens,
// JSON, algorithm names and protocol values, all of which the OAuth and
// JOSE specifications define as case-sensitive strings.
func exact(oid, name, desc string) AttributeType {
	return AttributeType{OID: oid, Names: []string{name}, Desc: desc,
		Equality: "caseExactMatch", Syntax: SyntaxDirectoryString, SingleValue: true}
}

// text is human-readable text, compared ignoring case.
func text(oid, name, desc string) AttributeType {
	return AttributeType{OID: oid, Names: []string{name}, Desc: desc,
		Equality: "caseIgnoreMatch", Substr: "caseIgnoreSubstringsMatch",
		Syntax: SyntaxDirectoryString, SingleValue: true}
}

// uri is a URI: ASCII, compared exactly (RFC 3986 URIs are case-sensitive
// apart from scheme and host, and redirect URIs are compared exactly).
func uri(oid, name, desc string) AttributeType {
	return AttributeType{OID: oid, Names: []string{name}, Desc: desc,
		Equality: "caseExactIA5Match", Syntax: SyntaxIA5String, SingleValue: true}
}

// ia5 is ASCII compared ignoring case: DNS names, e-mail addresses and IP
// addresses in certificate subject alternative names.
func ia5(oid, name, desc string) AttributeType {
	return AttributeType{OID: oid, Names: []string{name}, Desc: desc,
		Equality: "caseIgnoreIA5Match", Syntax: SyntaxIA5String, SingleValue: true}
}

func timestamp(oid, name, desc string) AttributeType {
	return AttributeType{OID: oid, Names: []string{name}, Desc: desc,
		Equality: "generalizedTimeMatch", Ordering: "generalizedTimeOrderingMatch",
		Syntax: SyntaxGeneralizedTime, SingleValue: true}
}

func boolean(oid, name, desc string) AttributeType {
	return AttributeType{OID: oid, Names: []string{name}, Desc: desc,
		Equality: "booleanMatch", Syntax: SyntaxBoolean, SingleValue: true}
}

func integer(oid, name, desc string) AttributeType {
	return AttributeType{OID: oid, Names: []string{name}, Desc: desc,
		Equality: "integerMatch", Ordering: "integerOrderingMatch",
		Syntax: SyntaxInteger, SingleValue: true}
}

// subjectDN is a certificate subject DN as a client registered it
// (RFC 4514 string form). It is kept as text, not in DN syntax, on purpose:
// OpenLDAP refuses DN values with attribute types its own schema lacks —
// organizationIdentifier (2.5.4.97) of eIDAS and PSD2 certificates, the EV
// jurisdiction types, E= — and rewrites the others, while RFC 8705 needs the
// value as registered. The provider compares subjects with the rules of
// RFC 4517 distinguishedNameMatch itself, when a certificate is presented.
func subjectDN(oid, name, desc string) AttributeType {
	return text(oid, name, desc)
}

func (a AttributeType) multi() AttributeType {
	a.SingleValue = false
	return a
}

func (a AttributeType) substrings() AttributeType {
	a.Substr = "caseExactSubstringsMatch"
	return a
}

// names lists the primary names of attribute types, for MUST and MAY.
func names(attrs []AttributeType) []string {
	out := make([]string, len(attrs))
	for i, a := range attrs {
		out[i] = a.Name()
	}
	return out
}
