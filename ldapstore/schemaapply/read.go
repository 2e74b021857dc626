package schemaapply

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/schema"
)

// SchemaDN is where OpenLDAP keeps its schema in cn=config.
const SchemaDN = "cn=schema,cn=config"

// Attribute names of olcSchemaConfig entries.
const (
	attrTypes   = "olcAttributeTypes"
	attrClasses = "olcObjectClasses"
)

// installed is the schema a server holds, as read from cn=config.
type installed struct {
	entries []*schemaEntry       // in load order
	attrs   map[string]*attrRef  // by every lower-cased name and OID
	classes map[string]*classRef // by every lower-cased name and OID
}

// schemaEntry is one olcSchemaConfig entry: cn=schema,cn=config itself (the
// schema compiled into slapd, which cannot be changed) or one of its
// children.
type schemaEntry struct {
	dn      string
	order   int // the {n} of the child's cn; -1 for cn=schema,cn=config
	classes []*classRef
}

type attrRef struct {
	entry *schemaEntry
	def   schema.AttributeType
}

// classRef is an installed object class and where it sits: pos is its {n}
// among the entry's olcObjectClasses values, raw the value as the server
// returned it.
type classRef struct {
	entry *schemaEntry
	pos   int
	raw   string
	def   schema.ObjectClass
}

// readInstalled reads every schema entry of cn=config.
func readInstalled(conn *ldap.Conn) (*installed, error) {
	req := ldap.NewSearchRequest(SchemaDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=olcSchemaConfig)", []string{"cn", attrTypes, attrClasses}, nil)
	res, err := conn.Search(req)
	if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
		return nil, fmt.Errorf("no %s: the server is not OpenLDAP with cn=config, or the bind identity may not read it", SchemaDN)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", SchemaDN, err)
	}
	in := &installed{attrs: map[string]*attrRef{}, classes: map[string]*classRef{}}
	for _, e := range res.Entries {
		se, err := in.add(e)
		if err != nil {
			return nil, err
		}
		in.entries = append(in.entries, se)
	}
	if len(in.entries) == 0 {
		return nil, fmt.Errorf("%s is empty or unreadable: the bind identity may not read cn=config", SchemaDN)
	}
	sort.SliceStable(in.entries, func(i, j int) bool { return in.entries[i].order < in.entries[j].order })
	return in, nil
}

func (in *installed) add(e *ldap.Entry) (*schemaEntry, error) {
	se := &schemaEntry{dn: e.DN, order: entryOrder(e)}
	for _, raw := range e.GetAttributeValues(attrTypes) {
		def, err := schema.ParseAttributeType(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.DN, err)
		}
		ref := &attrRef{entry: se, def: def}
		for _, key := range keys(def.OID, def.Names) {
			in.attrs[key] = ref
		}
	}
	for i, raw := range e.GetAttributeValues(attrClasses) {
		def, err := schema.ParseObjectClass(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.DN, err)
		}
		ref := &classRef{entry: se, pos: valueOrder(raw, i), raw: raw, def: def}
		se.classes = append(se.classes, ref)
		for _, key := range keys(def.OID, def.Names) {
			in.classes[key] = ref
		}
	}
	return se, nil
}

// entryOrder is n of a child's "cn={n}name"; the parent sorts first.
func entryOrder(e *ldap.Entry) int {
	if strings.EqualFold(strings.ReplaceAll(e.DN, " ", ""), SchemaDN) {
		return -1
	}
	n, ok := ordering(e.GetAttributeValue("cn"))
	if !ok {
		return 1 << 30 // unnumbered: after the numbered ones
	}
	return n
}

// valueOrder is n of a "{n}(...)" value; values without one count by
// position.
func valueOrder(raw string, position int) int {
	if n, ok := ordering(raw); ok {
		return n
	}
	return position
}

func ordering(s string) (int, bool) {
	rest, ok := strings.CutPrefix(s, "{")
	if !ok {
		return 0, false
	}
	digits, _, ok := strings.Cut(rest, "}")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}

func keys(oid string, names []string) []string {
	out := []string{strings.ToLower(oid)}
	for _, n := range names {
		out = append(out, strings.ToLower(n))
	}
	return out
}

func (in *installed) attr(name string) *attrRef { return in.attrs[strings.ToLower(name)] }

func (in *installed) class(name string) *classRef { return in.classes[strings.ToLower(name)] }

// canonical maps an attribute name or OID to the lower-cased primary name
// of the installed type it denotes, so that members listed by OID or by an
// alias compare equal; unknown names map to themselves.
func (in *installed) canonical(name string) string {
	if ref := in.attr(name); ref != nil {
		return strings.ToLower(ref.def.Name())
	}
	return strings.ToLower(name)
}
