package schema

import (
	"strconv"
	"strings"
	"testing"
)

func TestGUIDArc(t *testing.T) {
	tests := []struct {
		name, uuidArc, want string
	}{
		{
			// The example GUID {53c08bb6-b2eb-5038-bf28-ad41a08c50ef}: pieces
			// 53c0 8bb6 b2eb 5038 bf28 ad41a0 8c50ef.
			name:    "example GUID",
			uuidArc: "2.25.111325678376819997685911819737516232943",
			want:    "1.2.840.113556.1.8000.2554.21440.35766.45803.20536.48936.11354528.9195759",
		},
		{
			// 35e58960-a52c-4f90-9bff-d57609155cb6
			name:    "Gatehouse's arc",
			uuidArc: Arc,
			want:    "1.2.840.113556.1.8000.2554.13797.35168.42284.20368.39935.13989385.1399990",
		},
		{
			name:    "leading zero digits",
			uuidArc: "2.25.1",
			want:    "1.2.840.113556.1.8000.2554.0.0.0.0.0.0.1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := guidArc(tc.uuidArc); got != tc.want {
				t.Errorf("guidArc(%s) = %s, want %s", tc.uuidArc, got, tc.want)
			}
		})
	}
	if ADArc != guidArc(Arc) {
		t.Errorf("ADArc %s is not the mapping of Arc", ADArc)
	}
}

func TestADOID(t *testing.T) {
	if got, want := ADOID(Arc+".1.2.3"), ADArc+".1.2.3"; got != want {
		t.Errorf("ADOID = %s, want %s", got, want)
	}
	if got := ADOID("2.5.4.3"); got != "2.5.4.3" {
		t.Errorf("an OID outside the arc changed: %s", got)
	}
	if got := ADOID(Arc + "9.1"); got != Arc+"9.1" {
		t.Errorf("an arc that only starts with ours changed: %s", got)
	}
}

// TestADObjectsFitAD checks what AD insists on: every arc of every OID in
// 32 bits, and OIDs that are as unique as the definitions'.
func TestADObjectsFitAD(t *testing.T) {
	seen := map[string]string{}
	for _, s := range Sets() {
		attrs, classes, err := ADObjects(s)
		if err != nil {
			t.Fatal(err)
		}
		if len(attrs) != len(s.Attributes) || len(classes) != len(s.Classes) {
			t.Fatalf("%s: %d attributes, %d classes", s.Name, len(attrs), len(classes))
		}
		for _, o := range append(attrs, classes...) {
			for _, arc := range strings.Split(o.OID, ".") {
				if _, err := strconv.ParseUint(arc, 10, 32); err != nil {
					t.Errorf("%s: arc %s of %s does not fit in 32 bits", o.Name, arc, o.OID)
				}
			}
			if other, dup := seen[o.OID]; dup {
				t.Errorf("%s and %s share %s", o.Name, other, o.OID)
			}
			seen[o.OID] = o.Name
		}
	}
}

func TestADAttributeForms(t *testing.T) {
	tests := []struct {
		name       string
		syntax, om string
		single     string
		indexed    bool
	}{
		{name: "oauthClientID", syntax: "2.5.5.12", om: "64", single: "TRUE", indexed: true}, // naming: Unicode
		{name: "oauthClientSecret", syntax: "2.5.5.3", om: "27", single: "TRUE"},             // case-sensitive
		{name: "oauthClientName", syntax: "2.5.5.12", om: "64", single: "TRUE"},              // ignoring case
		{name: "oauthScopeValue", syntax: "2.5.5.3", om: "27", single: "FALSE"},
		{name: "oauthRedirectURI", syntax: "2.5.5.5", om: "22", single: "FALSE"},
		{name: "oauthTLSClientAuthSANDNS", syntax: "2.5.5.5", om: "22", single: "TRUE"},
		{name: "oauthClientSecretExp", syntax: "2.5.5.11", om: "24", single: "TRUE"},
		{name: "oauthRequirePAR", syntax: "2.5.5.8", om: "1", single: "TRUE"},
		{name: "oidcDefaultMaxAge", syntax: "2.5.5.9", om: "2", single: "TRUE"},
		{name: "authzRefreshToken", syntax: "2.5.5.3", om: "27", single: "TRUE", indexed: true},
		{name: "gatehouseVersion", syntax: "2.5.5.3", om: "27", single: "TRUE"},
	}
	objects := adObjectsByName(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, ok := objects[tc.name]
			if !ok || o.Class != "attributeSchema" {
				t.Fatalf("no attributeSchema %s", tc.name)
			}
			want := map[string]string{"attributeSyntax": tc.syntax, "oMSyntax": tc.om, "isSingleValued": tc.single,
				"lDAPDisplayName": tc.name, "cn": tc.name, "objectClass": "attributeSchema"}
			if tc.indexed {
				want["searchFlags"] = "1"
			}
			checkADValues(t, o, want)
			if !tc.indexed && adValue(o, "searchFlags") != "" {
				t.Errorf("searchFlags %s on an attribute that is not searched", adValue(o, "searchFlags"))
			}
		})
	}
}

func TestADClassForms(t *testing.T) {
	tests := []struct {
		name                 string
		sup, category, rdn   string
		possSuperiors, first string // first mustContain
	}{
		{name: "oauthClientIdentity", sup: "top", category: "1", rdn: "oauthClientID",
			possSuperiors: "organizationalUnit container domainDNS", first: "oauthClientID"},
		{name: "oidcRelyingParty", sup: "oauthClientMetadata", category: "1", rdn: "oauthClientID",
			possSuperiors: "organizationalUnit container domainDNS"},
		{name: "oauth2Authz", sup: "top", category: "1", rdn: "cn",
			possSuperiors: "organizationalUnit container domainDNS", first: "authzSubject"},
		{name: "gatehouseClient", sup: "top", category: "3"},
	}
	objects := adObjectsByName(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := objects[tc.name]
			checkADValues(t, o, map[string]string{"objectClass": "classSchema", "subClassOf": tc.sup,
				"objectClassCategory": tc.category, "rDNAttID": tc.rdn, "mustContain": tc.first})
			if got := strings.Join(adValues(o, "possSuperiors"), " "); got != tc.possSuperiors {
				t.Errorf("possSuperiors %q, want %q", got, tc.possSuperiors)
			}
		})
	}
	if got := adValues(objects["oauthClientMetadata"], "mayContain"); got[len(got)-1] != "mail" {
		t.Errorf("oauthClientMetadata does not allow mail: %v", got)
	}
}

func TestADObjectsRefuseUnknownSyntax(t *testing.T) {
	s := Set{Name: "odd", Attributes: []AttributeType{{OID: Arc + ".9.9", Names: []string{"odd"}, Syntax: "1.3.6.1.4.1.1466.115.121.1.40"}}}
	if _, _, err := ADObjects(s); err == nil || !strings.Contains(err.Error(), "odd") {
		t.Errorf("error %v, want one naming the attribute", err)
	}
	if _, err := Render(ServerAD, s); err == nil {
		t.Error("Render accepted it")
	}
}

// TestADFileShape checks the file's order: attributes, a schema cache
// refresh, classes and a refresh, every DN under the placeholder.
func TestADFileShape(t *testing.T) {
	files, err := Files(ServerAD, KindAll)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		var kinds []string
		for _, line := range strings.Split(string(f.Data), "\n") {
			switch {
			case line == "dn:":
				kinds = append(kinds, "refresh")
			case strings.HasPrefix(line, "dn: "):
				if !strings.HasSuffix(line, ","+ADSchemaDN) {
					t.Errorf("%s: %s", f.Path, line)
				}
			case line == "objectClass: attributeSchema", line == "objectClass: classSchema":
				kind := strings.TrimPrefix(line, "objectClass: ")
				if len(kinds) == 0 || kinds[len(kinds)-1] != kind {
					kinds = append(kinds, kind)
				}
			}
			for _, r := range line {
				if r > 0x7e {
					t.Errorf("%s: non-ASCII line %q needs base64", f.Path, line)
				}
			}
		}
		if got := strings.Join(kinds, " "); got != "attributeSchema refresh classSchema refresh" {
			t.Errorf("%s: order %s", f.Path, got)
		}
	}
}

func adObjectsByName(t *testing.T) map[string]ADObject {
	t.Helper()
	out := map[string]ADObject{}
	for _, s := range Sets() {
		attrs, classes, err := ADObjects(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range append(attrs, classes...) {
			out[o.Name] = o
		}
	}
	return out
}

func checkADValues(t *testing.T, o ADObject, want map[string]string) {
	t.Helper()
	for typ, v := range want {
		if got := adValue(o, typ); got != v {
			t.Errorf("%s: %s = %q, want %q", o.Name, typ, got, v)
		}
	}
}

// adValue is the first value of an attribute, or "".
func adValue(o ADObject, typ string) string {
	if v := adValues(o, typ); len(v) > 0 {
		return v[0]
	}
	return ""
}

func adValues(o ADObject, typ string) []string {
	for _, a := range o.Attrs {
		if a.Type == typ {
			return a.Values
		}
	}
	return nil
}
