package schema

import "strings"

// String renders the attribute type as an RFC 4512 description on one line,
// the form every directory takes in attributeTypes (and OpenLDAP in
// olcAttributeTypes).
func (a AttributeType) String() string { return strings.Join(a.fields(), " ") }

// String renders the object class as an RFC 4512 description on one line.
func (c ObjectClass) String() string { return strings.Join(c.fields(), " ") }

// fields splits the description into its elements, in the order RFC 4512
// prescribes, the opening parenthesis with the OID and the closing one last.
// The LDIF writer puts each on a line of its own.
func (a AttributeType) fields() []string {
	f := []string{"( " + a.OID}
	f = appendNames(f, a.Names)
	f = appendIf(f, a.Desc != "", "DESC "+qdstring(a.Desc))
	f = appendIf(f, a.Obsolete, "OBSOLETE")
	f = appendIf(f, a.Sup != "", "SUP "+a.Sup)
	f = appendIf(f, a.Equality != "", "EQUALITY "+a.Equality)
	f = appendIf(f, a.Ordering != "", "ORDERING "+a.Ordering)
	f = appendIf(f, a.Substr != "", "SUBSTR "+a.Substr)
	f = appendIf(f, a.Syntax != "", "SYNTAX "+a.Syntax)
	f = appendIf(f, a.SingleValue, "SINGLE-VALUE")
	f = appendIf(f, a.Collective, "COLLECTIVE")
	f = appendIf(f, a.NoUserModification, "NO-USER-MODIFICATION")
	f = appendIf(f, a.Usage != "", "USAGE "+a.Usage)
	f = appendExtensions(f, a.Extensions)
	return append(f, ")")
}

func (c ObjectClass) fields() []string {
	f := []string{"( " + c.OID}
	f = appendNames(f, c.Names)
	f = appendIf(f, c.Desc != "", "DESC "+qdstring(c.Desc))
	f = appendIf(f, c.Obsolete, "OBSOLETE")
	f = appendIf(f, len(c.Sup) > 0, "SUP "+oids(c.Sup))
	f = appendIf(f, c.Kind != "", string(c.Kind))
	f = appendIf(f, len(c.Must) > 0, "MUST "+oids(c.Must))
	f = appendIf(f, len(c.May) > 0, "MAY "+oids(c.May))
	f = appendExtensions(f, c.Extensions)
	return append(f, ")")
}

func appendIf(f []string, cond bool, field string) []string {
	if cond {
		return append(f, field)
	}
	return f
}

func appendNames(f []string, names []string) []string {
	switch len(names) {
	case 0:
		return f
	case 1:
		return append(f, "NAME "+qdstring(names[0]))
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = qdstring(n)
	}
	return append(f, "NAME ( "+strings.Join(quoted, " ")+" )")
}

func appendExtensions(f []string, exts []Extension) []string {
	for _, e := range exts {
		if len(e.Values) == 1 {
			f = append(f, e.Name+" "+qdstring(e.Values[0]))
			continue
		}
		quoted := make([]string, len(e.Values))
		for i, v := range e.Values {
			quoted[i] = qdstring(v)
		}
		f = append(f, e.Name+" ( "+strings.Join(quoted, " ")+" )")
	}
	return f
}

// oids renders a list of names or OIDs: one bare, several in parentheses
// separated by dollar signs.
func oids(list []string) string {
	if len(list) == 1 {
		return list[0]
	}
	return "( " + strings.Join(list, " $ ") + " )"
}

// qdstring quotes a string; RFC 4512 escapes a quote as \27 and a
// backslash as \5C.
func qdstring(s string) string {
	s = strings.ReplaceAll(s, `\`, `\5C`)
	s = strings.ReplaceAll(s, `'`, `\27`)
	return "'" + s + "'"
}
