package schema

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// ServerAD files are attributeSchema and classSchema entries for Active
// Directory (and Samba AD), for "ldifde" or "gatehouse schema apply
// --server ad".
const ServerAD = "ad"

// ADPlaceholder stands for the forest root domain in the DNs of the AD
// files, as in Microsoft's own schema files: "ldifde -c DC=X <domain>"
// or "gatehouse schema apply --server ad" puts the real one in.
const ADPlaceholder = "DC=X"

// ADSchemaDN is the schema naming context in the AD files.
const ADSchemaDN = "CN=Schema,CN=Configuration," + ADPlaceholder

// microsoftGUIDArc is the arc Microsoft set aside for OIDs made from a GUID
// without registration; the GUID follows it in seven pieces.
const microsoftGUIDArc = "1.2.840.113556.1.8000.2554"

// ADArc replaces Arc in Active Directory, which refuses OIDs with an arc
// above 2^32 and so every 2.25.<uuid> OID. It is Microsoft's documented
// mapping of the same UUID: its 32 hex digits cut into 4, 4, 4, 4, 4, 6
// and 6 digits, each written in decimal after microsoftGUIDArc. Below it
// the sub-arcs are those of Arc: ADOID(Arc+".1.1.1") is ADArc+".1.1.1".
var ADArc = guidArc(Arc)

// guidArc maps a 2.25 UUID arc to Microsoft's GUID arc.
func guidArc(uuidArc string) string {
	n, ok := new(big.Int).SetString(strings.TrimPrefix(uuidArc, "2.25."), 10)
	if !ok || !strings.HasPrefix(uuidArc, "2.25.") || n.BitLen() > 128 {
		panic("schema: not a 2.25 UUID arc: " + uuidArc)
	}
	hex := fmt.Sprintf("%032x", n)
	arc := microsoftGUIDArc
	start := 0
	for _, width := range []int{4, 4, 4, 4, 4, 6, 6} {
		v, _ := strconv.ParseUint(hex[start:start+width], 16, 32) // hex digits by construction
		arc += "." + strconv.FormatUint(v, 10)
		start += width
	}
	return arc
}

// ADOID is the OID a definition has in Active Directory: the same number
// below ADArc instead of Arc. OIDs outside Arc are returned unchanged.
func ADOID(oid string) string {
	if rest, ok := strings.CutPrefix(oid, Arc+"."); ok {
		return ADArc + "." + rest
	}
	return oid
}

// adIndexed are the attributes the store searches by, indexed in AD
// (searchFlags 1) as README.md recommends indexing them in OpenLDAP.
var adIndexed = map[string]bool{
	"oauthClientID": true, "authzSubject": true, "authzClientID": true,
	"authzRefreshToken": true, "oidcSessionID": true,
}

// adNaming is the naming attribute (rDNAttID) of each structural class.
// Entries of the authorization classes are named by two attributes in
// LDAP (authzSubject=...+authzClientID=...); AD has no multi-valued RDNs,
// so those classes keep AD's default, cn.
var adNaming = map[string]string{
	"oauthClientIdentity": "oauthClientID",
	"oauthClientMetadata": "oauthClientID",
	"oidcRelyingParty":    "oauthClientID",
	"oauth2Authz":         "cn",
	"oidcAuthz":           "cn",
}

// adPossSuperiors are the classes a structural class may be created below.
var adPossSuperiors = []string{"organizationalUnit", "container", "domainDNS"}

// ADValue is one attribute of an AD schema object.
type ADValue struct {
	Type   string
	Values []string
}

// ADObject is an attributeSchema or classSchema entry of Active Directory.
type ADObject struct {
	Name  string    // cn and lDAPDisplayName
	Class string    // "attributeSchema" or "classSchema"
	OID   string    // attributeID or governsID
	Attrs []ADValue // objectClass first, in the order written
}

// DN names the object in the schema naming context schemaDN.
func (o ADObject) DN(schemaDN string) string { return "CN=" + o.Name + "," + schemaDN }

// ADObjects renders a set as AD schema objects: its attribute types
// (attributeSchema) and object classes (classSchema), in set order. It
// fails for a syntax that has no AD form.
func ADObjects(s Set) (attrs, classes []ADObject, err error) {
	for _, a := range s.Attributes {
		o, err := adAttribute(a)
		if err != nil {
			return nil, nil, fmt.Errorf("set %s: %w", s.Name, err)
		}
		attrs = append(attrs, o)
	}
	for _, c := range s.Classes {
		classes = append(classes, adClass(c))
	}
	return attrs, classes, nil
}

func adAttribute(a AttributeType) (ADObject, error) {
	syntax, om, err := adSyntax(a)
	if err != nil {
		return ADObject{}, err
	}
	o := adObject("attributeSchema", a.Name(), "attributeID", ADOID(a.OID))
	o.add("attributeSyntax", syntax)
	o.add("oMSyntax", om)
	o.add("isSingleValued", strings.ToUpper(strconv.FormatBool(a.SingleValue)))
	if adIndexed[a.Name()] {
		o.add("searchFlags", "1") // fATTINDEX
	}
	if a.Desc != "" {
		o.add("adminDescription", a.Desc)
	}
	return o, nil
}

// adSyntax maps an RFC 4517 syntax and equality rule to AD's
// attributeSyntax and oMSyntax. AD's Unicode string (2.5.5.12) always
// compares ignoring case, so case-sensitive text takes the case-sensitive
// string syntax (2.5.5.3) instead, except for a naming attribute, which AD
// requires to be a Unicode string.
func adSyntax(a AttributeType) (syntax, om string, err error) {
	switch a.Syntax {
	case SyntaxDirectoryString:
		if a.Equality == "caseExactMatch" && !isNaming(a.Name()) {
			return "2.5.5.3", "27", nil
		}
		return "2.5.5.12", "64", nil
	case SyntaxIA5String:
		return "2.5.5.5", "22", nil
	case SyntaxGeneralizedTime:
		return "2.5.5.11", "24", nil
	case SyntaxBoolean:
		return "2.5.5.8", "1", nil
	case SyntaxInteger:
		return "2.5.5.9", "2", nil
	case SyntaxDN:
		return "2.5.5.1", "127", nil
	}
	return "", "", fmt.Errorf("attribute type %s: syntax %s has no Active Directory form", a.Name(), a.Syntax)
}

func isNaming(attr string) bool {
	for _, n := range adNaming {
		if n == attr {
			return true
		}
	}
	return false
}

// objectClassCategory values of AD.
var adCategory = map[ClassKind]string{Structural: "1", "": "1", Abstract: "2", Auxiliary: "3"}

func adClass(c ObjectClass) ADObject {
	o := adObject("classSchema", c.Name(), "governsID", ADOID(c.OID))
	sup := "top"
	if len(c.Sup) > 0 {
		sup = c.Sup[0] // AD classes have one superclass
	}
	o.add("subClassOf", sup)
	o.add("objectClassCategory", adCategory[c.Kind])
	if rdn := adNaming[c.Name()]; rdn != "" {
		o.add("rDNAttID", rdn)
	}
	o.add("mustContain", c.Must...)
	o.add("mayContain", c.May...)
	if c.Kind == Structural || c.Kind == "" {
		o.add("possSuperiors", adPossSuperiors...)
	}
	if c.Desc != "" {
		o.add("adminDescription", c.Desc)
	}
	return o
}

func adObject(class, name, oidAttr, oid string) ADObject {
	o := ADObject{Name: name, Class: class, OID: oid}
	o.add("objectClass", class)
	o.add("cn", name)
	o.add("lDAPDisplayName", name)
	o.add(oidAttr, oid)
	return o
}

// add appends an attribute unless it has no values.
func (o *ADObject) add(typ string, values ...string) {
	if len(values) > 0 {
		o.Attrs = append(o.Attrs, ADValue{Type: typ, Values: values})
	}
}

// renderAD writes a set as an LDIF file of AD schema objects: the
// attributes, a schema cache refresh so that the classes can use them,
// the classes, and another refresh so that entries can use those.
func renderAD(b *strings.Builder, s Set) error {
	attrs, classes, err := ADObjects(s)
	if err != nil {
		return err
	}
	writeHeader(b, s, "Active Directory form: attributeSchema and classSchema entries, with OIDs",
		"under "+ADArc+" (the same UUID as below, see README.md).",
		"Run on the schema master as a member of Schema Admins:",
		"  ldifde -i -k -f "+s.Name+".ldif -c \""+ADSchemaDN+"\" \"#schemaNamingContext\"",
		`or let "gatehouse schema apply --server ad" add what is missing.`)
	for _, o := range attrs {
		writeADObject(b, o)
	}
	b.WriteString(adRefresh)
	for _, o := range classes {
		writeADObject(b, o)
	}
	b.WriteString(adRefresh)
	return nil
}

// adRefresh asks the DC to reload its schema cache (a modification of the
// root DSE), after which new definitions can be used.
const adRefresh = "\ndn:\nchangetype: modify\nadd: schemaUpdateNow\nschemaUpdateNow: 1\n-\n"

func writeADObject(b *strings.Builder, o ADObject) {
	fmt.Fprintf(b, "\ndn: %s\nchangetype: add\n", o.DN(ADSchemaDN))
	for _, a := range o.Attrs {
		for _, v := range a.Values {
			writeADLine(b, a.Type, v)
		}
	}
}

// writeADLine writes "type: value", folded at spaces of the value when
// too long. A value without spaces (an OID) stays on one line, which LDIF
// allows and a reader can copy.
func writeADLine(b *strings.Builder, typ, value string) {
	parts := chunks(value, lineWidth-2-len(typ)-2)
	b.WriteString(typ + ": " + parts[0])
	for _, more := range parts[1:] {
		b.WriteString("\n  " + more)
	}
	b.WriteString("\n")
}
