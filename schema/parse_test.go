package schema

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestDefinitionsRoundTrip(t *testing.T) {
	for _, s := range Sets() {
		for _, a := range s.Attributes {
			got, err := ParseAttributeType(a.String())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, a) {
				t.Errorf("%s:\n got %#v\nwant %#v", a.Name(), got, a)
			}
		}
		for _, c := range s.Classes {
			got, err := ParseObjectClass(c.String())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c) {
				t.Errorf("%s:\n got %#v\nwant %#v", c.Name(), got, c)
			}
		}
	}
}

// TestBothFormatsDescribeTheDefinitions re-reads the shipped files of both
// servers and checks that each holds exactly the definitions of its set.
func TestBothFormatsDescribeTheDefinitions(t *testing.T) {
	for _, s := range Sets() {
		for _, server := range []string{ServerOpenLDAP, ServerOpenDJ} {
			t.Run(server+"/"+s.Name, func(t *testing.T) {
				data, err := shipped.ReadFile(FilePath(server, s.Name))
				if err != nil {
					t.Fatal(err)
				}
				got, err := ParseLDIF(data)
				if err != nil {
					t.Fatal(err)
				}
				if server == ServerOpenLDAP && got.Name != s.Name {
					t.Errorf("entry name %q, want %q", got.Name, s.Name)
				}
				if !reflect.DeepEqual(got.Attributes, s.Attributes) {
					t.Errorf("attribute types differ from the definitions")
				}
				if !reflect.DeepEqual(got.Classes, s.Classes) {
					t.Errorf("object classes differ from the definitions")
				}
			})
		}
	}
}

func TestParseServerForms(t *testing.T) {
	at, err := ParseAttributeType(`{3}( 1.2.3 name ( 'a' 'b' ) DESC 'it\27s a \5C' SUP name ` +
		`EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX '1.3.6.1.4.1.1466.115.121.1.15{64}' ` +
		`SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation X-ORDERED 'VALUES' )`)
	if err != nil {
		t.Fatal(err)
	}
	wantAT := AttributeType{OID: "1.2.3", Names: []string{"a", "b"}, Desc: `it's a \`, Sup: "name",
		Equality: "caseIgnoreMatch", Substr: "caseIgnoreSubstringsMatch",
		Syntax: "1.3.6.1.4.1.1466.115.121.1.15{64}", SingleValue: true, NoUserModification: true,
		Usage: "directoryOperation", Extensions: []Extension{{Name: "X-ORDERED", Values: []string{"VALUES"}}}}
	if !reflect.DeepEqual(at, wantAT) {
		t.Errorf("attribute type\n got %#v\nwant %#v", at, wantAT)
	}
	if again, _ := ParseAttributeType(at.String()); !reflect.DeepEqual(again, at) {
		t.Errorf("re-rendered attribute type reads back as %#v", again)
	}

	oc, err := ParseObjectClass(`( 1.2.4 NAME 'c' OBSOLETE SUP ( a $ b ) AUXILIARY MUST ( x $ 1.2.5 ) MAY z X-ORIGIN ( 'one' 'two' ) )`)
	if err != nil {
		t.Fatal(err)
	}
	wantOC := ObjectClass{OID: "1.2.4", Names: []string{"c"}, Obsolete: true, Sup: []string{"a", "b"},
		Kind: Auxiliary, Must: []string{"x", "1.2.5"}, May: []string{"z"},
		Extensions: []Extension{{Name: "X-ORIGIN", Values: []string{"one", "two"}}}}
	if !reflect.DeepEqual(oc, wantOC) {
		t.Errorf("object class\n got %#v\nwant %#v", oc, wantOC)
	}
	if again, _ := ParseObjectClass(oc.String()); !reflect.DeepEqual(again, oc) {
		t.Errorf("re-rendered object class reads back as %#v", again)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{name: "empty", in: ""},
		{name: "no parentheses", in: "1.2 NAME 'x'"},
		{name: "unclosed", in: "( 1.2 NAME 'x'"},
		{name: "no OID", in: "( NAME 'x' )"},
		{name: "unterminated quote", in: "( 1.2 NAME 'x )"},
		{name: "unknown keyword", in: "( 1.2 FROB x )"},
		{name: "list without dollars", in: "( 1.2 MAY ( a b ) )"},
		{name: "bad escape", in: `( 1.2 DESC 'a\zz' )`},
		{name: "missing value", in: "( 1.2 SYNTAX )"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if a, err := ParseAttributeType(tc.in); err == nil {
				t.Errorf("attribute type parsed: %#v", a)
			}
			if c, err := ParseObjectClass(tc.in); err == nil {
				t.Errorf("object class parsed: %#v", c)
			}
		})
	}
}

// TestParseOpenLDAPStandardSchemas reads the schemas Debian's slapd ships,
// which use every feature slapd's own definitions do.
func TestParseOpenLDAPStandardSchemas(t *testing.T) {
	paths, _ := filepath.Glob("/etc/ldap/schema/*.ldif")
	if len(paths) == 0 {
		t.Skip("no OpenLDAP schema files in /etc/ldap/schema")
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s, err := ParseLDIF(data)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if len(s.Attributes)+len(s.Classes) == 0 {
			t.Errorf("%s: no definitions", p)
		}
	}
}

func TestParseLDIFErrors(t *testing.T) {
	for _, in := range []string{
		"dn: cn=x,cn=schema,cn=config\nolcAttributeTypes: ( 1.2 NAME 'x'\n",
		"dn: cn=schema\nobjectClasses:: !!!\n",
		"dn: cn=schema\nno colon here\n",
	} {
		if _, err := ParseLDIF([]byte(in)); err == nil {
			t.Errorf("ParseLDIF(%q) succeeded", in)
		}
	}
}

func FuzzParseAttributeType(f *testing.F) {
	for _, s := range Sets() {
		for _, a := range s.Attributes {
			f.Add(a.String())
		}
		for _, c := range s.Classes {
			f.Add(c.String())
		}
	}
	f.Fuzz(func(t *testing.T, in string) {
		if a, err := ParseAttributeType(in); err == nil {
			again, err := ParseAttributeType(a.String())
			if err != nil || !reflect.DeepEqual(again, a) {
				t.Errorf("%q parses as %#v, which renders as %q and reads back as %#v (%v)", in, a, a.String(), again, err)
			}
		}
		if c, err := ParseObjectClass(in); err == nil {
			again, err := ParseObjectClass(c.String())
			if err != nil || !reflect.DeepEqual(again, c) {
				t.Errorf("%q parses as %#v, which renders as %q and reads back as %#v (%v)", in, c, c.String(), again, err)
			}
		}
	})
}
