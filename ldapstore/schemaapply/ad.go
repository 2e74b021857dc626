package schemaapply

import (
	"fmt"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/schema"
)

// ADPlan is what applying the schema to an Active Directory forest takes:
// the attributeSchema and classSchema objects it lacks, added to the
// schema naming context on the schema master.
//
// AD differs from OpenLDAP in what can be done: schema objects can be
// added but never deleted (only made defunct), so the plan only adds, and
// compares by lDAPDisplayName like the OpenLDAP plan. Existing objects
// are left as they are, whatever they hold.
type ADPlan struct {
	schemaDN string
	attrs    []schema.ADObject
	classes  []schema.ADObject
}

// Changes lists what the plan adds, attributes first.
func (p *ADPlan) Changes() []Change {
	var out []Change
	for _, o := range p.attrs {
		out = append(out, Change{Action: ActionAddAttribute, Name: o.Name, Entry: p.schemaDN})
	}
	for _, o := range p.classes {
		out = append(out, Change{Action: ActionAddClass, Name: o.Name, Entry: p.schemaDN})
	}
	return out
}

// Empty reports whether the forest already has everything.
func (p *ADPlan) Empty() bool { return len(p.attrs) == 0 && len(p.classes) == 0 }

// NewADPlan finds the schema naming context from the root DSE, checks
// that the DC behind conn is the schema master (the only DC that takes
// schema changes), and works out which of the sets' objects it lacks. It
// changes nothing.
func NewADPlan(conn *ldap.Conn, sets []schema.Set) (*ADPlan, error) {
	schemaDN, err := schemaMaster(conn)
	if err != nil {
		return nil, err
	}
	var attrs, classes []schema.ADObject
	for _, s := range sets {
		a, c, err := schema.ADObjects(s)
		if err != nil {
			return nil, err
		}
		attrs, classes = append(attrs, a...), append(classes, c...)
	}
	have, err := readADSchema(conn, schemaDN, append(append([]schema.ADObject(nil), attrs...), classes...))
	if err != nil {
		return nil, err
	}
	p := &ADPlan{schemaDN: schemaDN}
	if p.attrs, err = missing(have, attrs); err != nil {
		return nil, err
	}
	if p.classes, err = missing(have, classes); err != nil {
		return nil, err
	}
	return p, nil
}

// schemaMaster returns the schema naming context, or an error naming the
// schema master when the DC is not it.
func schemaMaster(conn *ldap.Conn) (string, error) {
	root, err := readOne(conn, "", "schemaNamingContext", "dsServiceName")
	if err != nil {
		return "", fmt.Errorf("read the root DSE: %w", err)
	}
	schemaDN := root.GetAttributeValue("schemaNamingContext")
	if schemaDN == "" {
		return "", fmt.Errorf("the root DSE names no schemaNamingContext: the server is not Active Directory")
	}
	nc, err := readOne(conn, schemaDN, "fSMORoleOwner")
	if err != nil {
		return "", fmt.Errorf("read %s: %w", schemaDN, err)
	}
	owner, self := nc.GetAttributeValue("fSMORoleOwner"), root.GetAttributeValue("dsServiceName")
	if owner != "" && !strings.EqualFold(owner, self) {
		return "", fmt.Errorf("this DC is not the schema master; apply the schema on %s", masterName(conn, owner))
	}
	return schemaDN, nil
}

// masterName names the DC of an NTDS Settings DN by its DNS name where it
// can be read, else by the DN.
func masterName(conn *ldap.Conn, ntdsSettings string) string {
	_, server, ok := strings.Cut(ntdsSettings, ",") // the server object is the parent
	if !ok {
		return ntdsSettings
	}
	if e, err := readOne(conn, server, "dNSHostName"); err == nil && e.GetAttributeValue("dNSHostName") != "" {
		return e.GetAttributeValue("dNSHostName")
	}
	return server
}

func readOne(conn *ldap.Conn, dn string, attrs ...string) (*ldap.Entry, error) {
	res, err := conn.Search(ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases,
		0, 0, false, "(objectClass=*)", attrs, nil))
	if err != nil {
		return nil, err
	}
	if len(res.Entries) != 1 {
		return nil, fmt.Errorf("%d entries for %q", len(res.Entries), dn)
	}
	return res.Entries[0], nil
}

// adSchemaObject is a schema object the forest has.
type adSchemaObject struct {
	name, oid string
	defunct   bool
}

// readADSchema reads the schema objects that have one of the names or
// OIDs of ours; the whole schema (some 1,700 objects) is not needed.
func readADSchema(conn *ldap.Conn, schemaDN string, ours []schema.ADObject) (map[string]adSchemaObject, error) {
	var terms strings.Builder
	for _, o := range ours {
		fmt.Fprintf(&terms, "(lDAPDisplayName=%s)(attributeID=%s)(governsID=%s)",
			ldap.EscapeFilter(o.Name), ldap.EscapeFilter(o.OID), ldap.EscapeFilter(o.OID))
	}
	res, err := conn.Search(ldap.NewSearchRequest(schemaDN, ldap.ScopeSingleLevel, ldap.NeverDerefAliases,
		0, 0, false, "(|"+terms.String()+")",
		[]string{"lDAPDisplayName", "attributeID", "governsID", "isDefunct"}, nil))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", schemaDN, err)
	}
	have := map[string]adSchemaObject{} // by lower-cased name and OID
	for _, e := range res.Entries {
		o := adSchemaObject{
			name:    e.GetAttributeValue("lDAPDisplayName"),
			oid:     e.GetAttributeValue("attributeID") + e.GetAttributeValue("governsID"),
			defunct: strings.EqualFold(e.GetAttributeValue("isDefunct"), "TRUE"),
		}
		have[strings.ToLower(o.name)], have[o.oid] = o, o
	}
	return have, nil
}

// missing lists the objects the forest lacks, refusing an OID the forest
// uses under another name and a name that is there but defunct: AD would
// refuse both with less helpful messages.
func missing(have map[string]adSchemaObject, ours []schema.ADObject) ([]schema.ADObject, error) {
	var out []schema.ADObject
	for _, o := range ours {
		if h, ok := have[strings.ToLower(o.Name)]; ok {
			if h.defunct {
				return nil, fmt.Errorf("%s is defunct in the schema: set its isDefunct to FALSE to use it again", o.Name)
			}
			continue
		}
		if h, ok := have[o.OID]; ok {
			return nil, fmt.Errorf("%s: OID %s is already used by %s", o.Name, o.OID, h.name)
		}
		out = append(out, o)
	}
	return out, nil
}

// Apply adds the objects, attributes first, refreshing the DC's schema
// cache after the attributes and after each class, so that each class
// finds the attributes and the superclass it names, and entries can use
// the classes at once. It returns the changes made; on an error, those
// before it stay made and running apply again carries on.
func (p *ADPlan) Apply(conn *ldap.Conn) ([]Change, error) {
	var done []Change
	changes := p.Changes()
	for i, o := range append(append([]schema.ADObject(nil), p.attrs...), p.classes...) {
		if err := conn.Add(adAddRequest(o, p.schemaDN)); err != nil {
			return done, fmt.Errorf("add %s: %w", o.DN(p.schemaDN), err)
		}
		done = append(done, changes[i])
		if i >= len(p.attrs)-1 {
			if err := refreshSchema(conn); err != nil {
				return done, err
			}
		}
	}
	return done, nil
}

func adAddRequest(o schema.ADObject, schemaDN string) *ldap.AddRequest {
	req := ldap.NewAddRequest(o.DN(schemaDN), nil)
	for _, a := range o.Attrs {
		req.Attribute(a.Type, a.Values)
	}
	return req
}

// refreshSchema makes the DC reload its schema cache, as Microsoft's own
// schema files do between dependent definitions.
func refreshSchema(conn *ldap.Conn) error {
	req := ldap.NewModifyRequest("", nil)
	req.Add("schemaUpdateNow", []string{"1"})
	if err := conn.Modify(req); err != nil {
		return fmt.Errorf("refresh the schema cache (schemaUpdateNow): %w", err)
	}
	return nil
}

// ApplyAD brings sets (normally schema.Sets()) into the forest behind
// conn and returns what it added; nothing means the schema was current.
func ApplyAD(conn *ldap.Conn, sets []schema.Set) ([]Change, error) {
	p, err := NewADPlan(conn, sets)
	if err != nil {
		return nil, err
	}
	return p.Apply(conn)
}
