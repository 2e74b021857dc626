package ldapstore

import (
	"bytes"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

// guidVectors pair the bytes AD stores with the string its tools show:
// the first three fields little-endian, the rest as stored. The first is
// the example of [MS-DTYP] §2.3.4.3, {6B29FC40-CA47-1067-B31D-00DC00CFC3C4},
// with the bytes of its GUID structure in memory. TestADSubjectIsObjectGUID
// checks the order against Samba itself.
var guidVectors = []struct {
	name string
	raw  []byte
	text string
}{
	{"RFC example", []byte{0x40, 0xfc, 0x29, 0x6b, 0x47, 0xca, 0x67, 0x10, 0xb3, 0x1d, 0x00, 0xdc, 0x00, 0xcf, 0xc3, 0xc4},
		"6b29fc40-ca47-1067-b31d-00dc00cfc3c4"},
	{"counting bytes", []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
		"03020100-0504-0706-0809-0a0b0c0d0e0f"},
	{"zero", make([]byte, 16), "00000000-0000-0000-0000-000000000000"},
	{"all ones", bytes.Repeat([]byte{0xff}, 16), "ffffffff-ffff-ffff-ffff-ffffffffffff"},
}

func TestFormatGUID(t *testing.T) {
	for _, tc := range guidVectors {
		t.Run(tc.name, func(t *testing.T) {
			got, err := formatGUID(tc.raw)
			if err != nil || got != tc.text {
				t.Errorf("formatGUID = %q, %v; want %q", got, err, tc.text)
			}
			raw, ok := parseGUID(tc.text)
			if !ok || !bytes.Equal(raw, tc.raw) {
				t.Errorf("parseGUID(%q) = % x, %v; want % x", tc.text, raw, ok, tc.raw)
			}
		})
	}
}

func TestFormatGUIDRefusesOtherLengths(t *testing.T) {
	for _, n := range []int{0, 15, 17, 36} {
		if s, err := formatGUID(make([]byte, n)); err == nil {
			t.Errorf("formatGUID of %d bytes = %q, want an error", n, s)
		}
	}
}

// Only the canonical spelling names a GUID: "sub" is an exact string, so
// other spellings of the same GUID are other subjects, held by no one.
func TestParseGUIDRefusesNonCanonical(t *testing.T) {
	for _, s := range []string{
		"",
		"6B29FC40-CA47-1067-B31D-00DC00CFC3C4",   // upper case
		"{6b29fc40-ca47-1067-b31d-00dc00cfc3c4}", // braces
		"6b29fc40ca471067b31d00dc00cfc3c4",       // no dashes
		"6b29fc40-ca47-1067-b31d-00dc00cfc3c",    // short
		"6b29fc40-ca47-1067-b31d-00dc00cfc3c4 ",  // trailing space
		"6b29fc40-ca47-1067-b31d-00dc00cfc3g4",   // not hex
		"6b29fc4-0ca47-1067-b31d-00dc00cfc3c4",   // dash misplaced
		"6b29fc40-ca47-1067-b31d+00dc00cfc3c4",   // not a dash
		"*", `\2a`, "6b29fc40-ca47-1067-b31d-00dc00cfc3*4",
	} {
		if raw, ok := parseGUID(s); ok {
			t.Errorf("parseGUID(%q) = % x, want refused", s, raw)
		}
	}
}

// Lookup searches for a GUID by its bytes, each escaped, which every
// filter parser reads back as the same 16 bytes.
func TestSubjectFilterGUID(t *testing.T) {
	u := testUsers(t)
	u.cfg.SubjectAttribute, u.cfg.SubjectEncoding = "objectGUID", subjectEncodingGUID
	filter, ok := u.subjectFilter(guidVectors[0].text)
	if want := `(objectGUID=\40\fc\29\6b\47\ca\67\10\b3\1d\00\dc\00\cf\c3\c4)`; !ok || filter != want {
		t.Fatalf("subjectFilter = %q, %v; want %q", filter, ok, want)
	}
	compiled, err := ldap.CompileFilter(filter)
	if err != nil {
		t.Fatal(err)
	}
	if got := compiled.Children[1].Data.Bytes(); !bytes.Equal(got, guidVectors[0].raw) {
		t.Errorf("the filter asserts % x, want % x", got, guidVectors[0].raw)
	}
	for _, subject := range []string{"", "alice", "*", "6B29FC40-CA47-1067-B31D-00DC00CFC3C4", "\xff"} {
		if filter, ok := u.subjectFilter(subject); ok {
			t.Errorf("subjectFilter(%q) = %q, want no search", subject, filter)
		}
	}
}

// The subject of an entry, by encoding: a GUID must be exactly 16 bytes.
func TestSubjectOf(t *testing.T) {
	tests := []struct {
		name     string
		encoding string
		values   []string
		want     string // "" for an error
	}{
		{name: "text", values: []string{"2f1c..."}, want: "2f1c..."},
		{name: "text, two values", values: []string{"a", "b"}},
		{name: "text, none"},
		{name: "text, not UTF-8", values: []string{"\xff"}},
		{name: "guid", encoding: "guid", values: []string{string(guidVectors[0].raw)}, want: guidVectors[0].text},
		{name: "guid, not 16 bytes", encoding: "guid", values: []string{"6b29fc40-ca47-1067-b31d-00dc00cfc3c4"}},
		{name: "guid, two values", encoding: "guid", values: []string{string(guidVectors[0].raw), string(guidVectors[1].raw)}},
		{name: "guid, none", encoding: "guid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := testUsers(t)
			u.cfg.SubjectAttribute, u.cfg.SubjectEncoding = "objectGUID", tc.encoding
			e := ldap.NewEntry("cn=a,dc=example,dc=test", map[string][]string{"objectGUID": tc.values})
			got, err := u.subjectOf(e)
			if tc.want == "" && err == nil {
				t.Errorf("subjectOf = %q, want an error", got)
			}
			if tc.want != "" && (err != nil || got != tc.want) {
				t.Errorf("subjectOf = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
