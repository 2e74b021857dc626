package embedded

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestLDIFRoundTrip(t *testing.T) {
	awkward := []string{
		"plain", "Jürgen Müller", "line one\nline two", "cr\r", " leading space", "trailing space ",
		":colon", "<angle", "#hash", "", "nul\x00", "tab\tinside", strings.Repeat("x", 200),
		strings.Repeat("ü", 100), "\xff\xfe not UTF-8",
	}
	entries := []*entry{
		mustEntry(t, "dc=example,dc=org", valueGroup{"objectClass", []string{"domain"}}, valueGroup{"dc", []string{"example"}}),
		mustEntry(t, `cn=Ödön\, the 2nd+uid=ö,dc=example,dc=org`,
			valueGroup{"objectClass", []string{"person"}},
			valueGroup{"cn", []string{"Ödön, the 2nd"}},
			valueGroup{"uid", []string{"ö"}},
			valueGroup{"description", awkward},
			valueGroup{"oauthClientName;lang-de", []string{"Laden"}},
		),
	}
	encoded := encodeLDIF("header line\nsecond header line", entries)
	for i, line := range strings.Split(string(encoded), "\n") {
		if len(line) > foldWidth {
			t.Errorf("line %d is %d bytes long", i+1, len(line))
		}
	}
	records, err := readLDIF(bytes.NewReader(encoded))
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != len(entries) {
		t.Fatalf("read %d records, wrote %d", len(records), len(entries))
	}
	for i, rec := range records {
		got, err := entryFromRecord(rec)
		if err != nil {
			t.Fatal(err)
		}
		want := entries[i]
		if got.dn.text != want.dn.text {
			t.Errorf("dn %q, want %q", got.dn.text, want.dn.text)
		}
		if len(got.attrs) != len(want.attrs) {
			t.Fatalf("%d attributes, want %d", len(got.attrs), len(want.attrs))
		}
		for j, a := range got.attrs {
			if a.name != want.attrs[j].name || !slices.Equal(a.values, want.attrs[j].values) {
				t.Errorf("attribute %s = %q, want %s = %q", a.name, a.values, want.attrs[j].name, want.attrs[j].values)
			}
		}
	}
}

func TestReadLDIF(t *testing.T) {
	tests := []struct {
		name  string
		input string
		dns   []string
		lines []ldifLine // of the last record
	}{
		{
			name:  "version, comments and CRLF",
			input: "# a comment\r\n#  folded\r\n  comment\r\nversion: 1\r\n\r\ndn: dc=x\r\nobjectClass: domain\r\n\r\n",
			dns:   []string{"dc=x"},
			lines: []ldifLine{{"objectClass", "domain"}},
		},
		{
			name:  "folded lines and base64",
			input: "dn: cn=a,\n dc=x\ndescription: hello\n  world\ncn:: w6Q=\nsn:\nmail:    padded\n",
			dns:   []string{"cn=a,dc=x"},
			lines: []ldifLine{{"description", "hello world"}, {"cn", "ä"}, {"sn", ""}, {"mail", "padded"}},
		},
		{
			name:  "several blank lines and a comment inside an entry",
			input: "\n\ndn: dc=x\n# note\nobjectClass: domain\n\n\n\ndn:: ZGM9eQ==\ndc: y\n",
			dns:   []string{"dc=x", "dc=y"},
			lines: []ldifLine{{"dc", "y"}},
		},
		{
			name:  "raw UTF-8 is accepted",
			input: "dn: cn=Müller,dc=x\ncn: Müller\n",
			dns:   []string{"cn=Müller,dc=x"},
			lines: []ldifLine{{"cn", "Müller"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			records, err := readLDIF(strings.NewReader(tc.input))
			if err != nil {
				t.Fatal(err)
			}
			var dns []string
			for _, r := range records {
				dns = append(dns, r.dn)
			}
			if !slices.Equal(dns, tc.dns) {
				t.Fatalf("dns %q, want %q", dns, tc.dns)
			}
			if last := records[len(records)-1].lines; !slices.Equal(last, tc.lines) {
				t.Errorf("lines %q, want %q", last, tc.lines)
			}
		})
	}
}

func TestReadLDIFRejects(t *testing.T) {
	tests := []struct {
		name, input, wantErr string
	}{
		{"continuation first", " dn: dc=x\n", "line 1: continuation"},
		{"no dn", "cn: x\n", "line 1: expected a dn line"},
		{"change record", "dn: dc=x\nchangetype: modify\n", "line 2: change records"},
		{"URL value", "dn: dc=x\njpegPhoto:< file:///etc/passwd\n", "line 2: jpegPhoto: URL values"},
		{"bad base64", "dn: dc=x\ncn:: !!!\n", "line 2: cn: invalid base64"},
		{"no colon", "dn: dc=x\njunk\n", "line 2: expected"},
		{"missing blank line", "dn: dc=x\ndc: x\ndn: dc=y\n", "line 3: dn line inside"},
		{"bad version", "version: 2\n\ndn: dc=x\n", "unsupported LDIF version"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readLDIF(strings.NewReader(tc.input))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestSafeString(t *testing.T) {
	for v, want := range map[string]bool{
		"plain": true, "a:b": true, "a<b": true, "{SSHA}abc=": true,
		" x": false, ":x": false, "<x": false, "x ": false, "x\ny": false, "ü": false, "x\x7f": false,
	} {
		if got := safeString(v); got != want {
			t.Errorf("safeString(%q) = %v", v, got)
		}
	}
}
