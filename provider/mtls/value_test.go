package mtls

import (
	"encoding/asn1"
	"testing"
)

func TestValueKey(t *testing.T) {
	str := stringKey("Zürich")
	tests := []struct {
		name string
		v    asn1.RawValue
		want string
	}{
		{"UTF8String", tagged(asn1.TagUTF8String, "zürich"), str},
		{"T61String as Latin-1", tagged(asn1.TagT61String, "Z\xfcrich"), str},
		{"BMPString", tagged(asn1.TagBMPString, "\x00Z\x00\xfc\x00r\x00i\x00c\x00h"), str},
		{"UniversalString", tagged(28, "\x00\x00\x00Z\x00\x00\x00\xfc\x00\x00\x00r\x00\x00\x00i\x00\x00\x00c\x00\x00\x00h"), str},
		{"odd BMPString is raw", tagged(asn1.TagBMPString, "\x00Z\x00"), "#" + "\x1e\x03\x00Z\x00"},
		{"bad UniversalString is raw", tagged(28, "\x00\x00Z"), "#" + "\x1c\x03\x00\x00Z"},
		{"OCTET STRING is raw", tagged(asn1.TagOctetString, "Zürich"), "#\x04\x07Zürich"},
		{"context tag is raw", asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 12, Bytes: []byte("x")}, "#\x8c\x01x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// FullBytes as a parser fills it.
			der, err := asn1.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			var v asn1.RawValue
			if _, err := asn1.Unmarshal(der, &v); err != nil {
				t.Fatal(err)
			}
			if got := valueKey(v); got != tc.want {
				t.Errorf("valueKey = %q, want %q", got, tc.want)
			}
		})
	}
}
