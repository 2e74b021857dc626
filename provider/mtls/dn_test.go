package mtls

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func hexOf(t testing.TB, v any) string {
	t.Helper()
	der, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("#%x", der)
}

func TestMatchSubjectDN(t *testing.T) {
	f := loadFixture(t)
	cnUTF8 := hexOf(t, tagged(asn1.TagUTF8String, "client, one"))
	cnBMP := hexOf(t, asn1.RawValue{Tag: asn1.TagBMPString, Bytes: []byte{0, 'C', 0, 'l', 0, 'i', 0, 'e', 0, 'n', 0, 't', 0, ',', 0, ' ', 0, 'O', 0, 'n', 0, 'e'}})
	orgOctets := hexOf(t, asn1.RawValue{Tag: asn1.TagOctetString, Bytes: []byte("PSDDE-BAFIN-123456")})

	tests := []struct {
		name       string
		registered string
		cert       *x509.Certificate
		want       bool
	}{
		{name: "as registered", registered: clientDN, cert: f.client, want: true},
		{name: "type names in lower case", cert: f.client, want: true,
			registered: `emailaddress=ops@example.com,cn=client\, one,organizationidentifier=PSDDE-BAFIN-123456,ou=Payments+l=Berlin,o=Example Bank,c=DE`},
		{name: "values in other case", cert: f.client, want: true,
			registered: `emailAddress=OPS@Example.Com,CN=CLIENT\, ONE,organizationIdentifier=psdde-bafin-123456,OU=payments+L=BERLIN,O=example bank,C=de`},
		{name: "spaces around separators and inside values", cert: f.client, want: true,
			registered: ` emailAddress = ops@example.com , CN = client\,   one ,organizationIdentifier=PSDDE-BAFIN-123456 , OU = Payments + L = Berlin , O =  Example   Bank  , C=DE `},
		{name: "escaped space at the end is insignificant", cert: f.client, want: true,
			registered: `emailAddress=ops@example.com,CN=client\, one\ ,organizationIdentifier=PSDDE-BAFIN-123456,OU=Payments+L=Berlin,O=Example Bank,C=DE`},
		{name: "hex-escaped comma", cert: f.client, want: true,
			registered: `emailAddress=ops@example.com,CN=client\2C one,organizationIdentifier=PSDDE-BAFIN-123456,OU=Payments+L=Berlin,O=Example Bank,C=DE`},
		{name: "hex escapes in lower case, escaped space", cert: f.client, want: true,
			registered: `emailAddress=ops\40example.com,CN=client\2c\20one,organizationIdentifier=PSDDE-BAFIN-123456,OU=Payments+L=Berlin,O=Example Bank,C=DE`},
		{name: "numeric OIDs", cert: f.client, want: true,
			registered: `1.2.840.113549.1.9.1=ops@example.com,2.5.4.3=client\, one,2.5.4.97=PSDDE-BAFIN-123456,2.5.4.11=Payments+2.5.4.7=Berlin,2.5.4.10=Example Bank,2.5.4.6=DE`},
		{name: "E and OID. prefix", cert: f.client, want: true,
			registered: `E=ops@example.com,OID.2.5.4.3=client\, one,organizationIdentifier=PSDDE-BAFIN-123456,OU=Payments+L=Berlin,O=Example Bank,C=DE`},
		{name: "multi-valued RDN in the other order", cert: f.client, want: true,
			registered: `emailAddress=ops@example.com,CN=client\, one,organizationIdentifier=PSDDE-BAFIN-123456,L=Berlin+OU=Payments,O=Example Bank,C=DE`},
		{name: "semicolons of RFC 2253", cert: f.client, want: true,
			registered: `emailAddress=ops@example.com;CN=client\, one;organizationIdentifier=PSDDE-BAFIN-123456;OU=Payments+L=Berlin;O=Example Bank;C=DE`},
		{name: "hex BER value, other string type", cert: f.client, want: true,
			registered: `emailAddress=ops@example.com,CN=` + cnUTF8 + `,organizationIdentifier=PSDDE-BAFIN-123456,OU=Payments+L=Berlin,O=Example Bank,C=DE`},
		{name: "hex BMPString value, other case", cert: f.client, want: true,
			registered: `emailAddress=ops@example.com,CN=` + cnBMP + `,organizationIdentifier=PSDDE-BAFIN-123456,OU=Payments+L=Berlin,O=Example Bank,C=DE`},
		{name: "unknown OIDs, hex NumericString, Unicode case", cert: f.private, want: true,
			registered: `1.3.6.1.4.1.99999.2=#1206313220333435,1.3.6.1.4.1.99999.1=ZÜRICH,CN=zürich SVC`},
		{name: "UTF-8 in hex escapes", cert: f.private, want: true,
			registered: `1.3.6.1.4.1.99999.2=12  345,1.3.6.1.4.1.99999.1=Z\C3\BCrich,CN=Z\c3\bcrich svc`},
		{name: "escapes of a pkix.Name", cert: f.simple, want: true,
			registered: `CN=\ spaced \#1\ ,OU=R\+D,O=Acme\, Inc.,C=SE`},
		{name: "crypto/x509's own string form", cert: f.simple, want: true, registered: f.simple.Subject.String()},
		{name: "a subject of one RDN", cert: f.fromOther, want: true, registered: "cn=CLIENT"},

		{name: "different value", cert: f.client, want: false,
			registered: `emailAddress=ops@example.com,CN=client\, two,organizationIdentifier=PSDDE-BAFIN-123456,OU=Payments+L=Berlin,O=Example Bank,C=DE`},
		{name: "RDN order reversed", cert: f.client, want: false,
			registered: `C=DE,O=Example Bank,OU=Payments+L=Berlin,organizationIdentifier=PSDDE-BAFIN-123456,CN=client\, one,emailAddress=ops@example.com`},
		{name: "two RDNs swapped", cert: f.client, want: false,
			registered: `emailAddress=ops@example.com,CN=client\, one,organizationIdentifier=PSDDE-BAFIN-123456,OU=Payments+L=Berlin,C=DE,O=Example Bank`},
		{name: "missing RDN", cert: f.client, want: false,
			registered: `CN=client\, one,organizationIdentifier=PSDDE-BAFIN-123456,OU=Payments+L=Berlin,O=Example Bank,C=DE`},
		{name: "extra RDN", cert: f.client, want: false,
			registered: clientDN + ",DC=example"},
		{name: "multi-valued RDN as two RDNs", cert: f.client, want: false,
			registered: `emailAddress=ops@example.com,CN=client\, one,organizationIdentifier=PSDDE-BAFIN-123456,OU=Payments,L=Berlin,O=Example Bank,C=DE`},
		{name: "two RDNs as one multi-valued", cert: f.client, want: false,
			registered: `emailAddress=ops@example.com,CN=client\, one+organizationIdentifier=PSDDE-BAFIN-123456,OU=Payments+L=Berlin,O=Example Bank,C=DE`},
		{name: "multi-valued RDN missing a value", cert: f.client, want: false,
			registered: `emailAddress=ops@example.com,CN=client\, one,organizationIdentifier=PSDDE-BAFIN-123456,OU=Payments,O=Example Bank,C=DE`},
		{name: "other attribute type", cert: f.client, want: false,
			registered: `emailAddress=ops@example.com,OU=client\, one,organizationIdentifier=PSDDE-BAFIN-123456,OU=Payments+L=Berlin,O=Example Bank,C=DE`},
		{name: "string value against non-string BER", cert: f.client, want: false,
			registered: `emailAddress=ops@example.com,CN=client\, one,organizationIdentifier=` + orgOctets + `,OU=Payments+L=Berlin,O=Example Bank,C=DE`},
		{name: "unknown OID, other value", cert: f.private, want: false,
			registered: `1.3.6.1.4.1.99999.2=12 346,1.3.6.1.4.1.99999.1=Zürich,CN=Zürich svc`},
		{name: "unknown OID, same string as octets", cert: f.private, want: false,
			registered: `1.3.6.1.4.1.99999.2=#0406313220333435,1.3.6.1.4.1.99999.1=Zürich,CN=Zürich svc`},
		{name: "inner space is significant", cert: f.client, want: false,
			registered: `emailAddress=ops@example.com,CN=client\,one,organizationIdentifier=PSDDE-BAFIN-123456,OU=Payments+L=Berlin,O=Example Bank,C=DE`},
		{name: "subject of another certificate", cert: f.fromOther, want: false, registered: clientDN},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := ValidateSubjectDN(tc.registered); err != nil {
				t.Fatalf("ValidateSubjectDN(%q): %v", tc.registered, err)
			}
			got, err := MatchSubjectDN(tc.registered, tc.cert)
			if err != nil {
				t.Fatalf("MatchSubjectDN(%q): %v", tc.registered, err)
			}
			if got != tc.want {
				t.Errorf("MatchSubjectDN(%q) = %v, want %v", tc.registered, got, tc.want)
			}
		})
	}
}

func TestMatchSubjectDNErrors(t *testing.T) {
	f := loadFixture(t)
	tests := []struct {
		name       string
		registered string
	}{
		{name: "empty", registered: ""},
		{name: "spaces only", registered: "   "},
		{name: "no equals", registered: "CN"},
		{name: "no type", registered: "=client"},
		{name: "unknown type name", registered: "favouriteColour=blue"},
		{name: "bad numeric OID", registered: "2.5.04.3=x"},
		{name: "OID of one arc", registered: "2=x"},
		{name: "OID prefix alone", registered: "OID.=x"},
		{name: "name with a dot", registered: "cn.=x"},
		{name: "trailing comma", registered: "CN=a,"},
		{name: "empty RDN", registered: "CN=a,,O=b"},
		{name: "trailing plus", registered: "CN=a+"},
		{name: "bad escape", registered: `CN=a\zz`},
		{name: "escape at the end", registered: `CN=a\`},
		{name: "bad hex value", registered: "CN=#zz"},
		{name: "odd hex value", registered: "CN=#0c0"},
		{name: "truncated BER", registered: "CN=#0c05616263"},
		{name: "two BER elements", registered: "CN=#0c01610c0162"},
		{name: "text after hex value", registered: "CN=#0c0161x"},
		{name: "not UTF-8", registered: `CN=\C3`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := ValidateSubjectDN(tc.registered); !errors.Is(err, ErrBadDN) {
				t.Errorf("ValidateSubjectDN(%q) = %v, want ErrBadDN", tc.registered, err)
			}
			got, err := MatchSubjectDN(tc.registered, f.client)
			if !errors.Is(err, ErrBadDN) {
				t.Errorf("MatchSubjectDN(%q) = %v, %v; want ErrBadDN", tc.registered, got, err)
			}
			if got {
				t.Errorf("MatchSubjectDN(%q) matched despite the error", tc.registered)
			}
		})
	}
	if _, err := MatchSubjectDN("CN=a", nil); !errors.Is(err, ErrNoCertificate) {
		t.Errorf("nil certificate: %v, want ErrNoCertificate", err)
	}
}

// TestParseDNOrder pins the order: the RFC 4514 string's first RDN is the
// last (least significant) of the RDNSequence.
func TestParseDNOrder(t *testing.T) {
	d, err := parseDN("CN=leaf,O=org,C=SE")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2.5.4.6", "2.5.4.10", "2.5.4.3"}
	if len(d) != len(want) {
		t.Fatalf("parsed %d RDNs, want %d", len(d), len(want))
	}
	for i, oid := range want {
		if d[i][0].oid != oid {
			t.Errorf("RDN %d is %s, want %s", i, d[i][0].oid, oid)
		}
	}
}

func TestPrepareCaseIgnore(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Example   Bank ", "example bank"},
		{"a\tb\u00a0c", "a b c"},
		{"soft\u00adhyphen", "softhyphen"},
		{"ZW\u200bSP", "zwsp"},
		{"STRASSE ſ", "strasse s"},
		{"", ""},
		{"   ", ""},
	}
	for _, tc := range tests {
		if got := prepareCaseIgnore(tc.in); got != tc.want {
			t.Errorf("prepareCaseIgnore(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzParseDN(f *testing.F) {
	for _, s := range []string{
		clientDN, privateDN, "CN=a", `CN=\ a\ ,O=b\2C c`, "cn=a+ou=b;o=c", "CN=#0c0161",
		"1.2.3=#04020102", "OID.2.5.4.3=x", "CN=a,", "=", "CN=\\", "a=b=c", "CN=" + strings.Repeat("x", 300),
	} {
		f.Add(s)
	}
	fx := loadFixture(f)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDN(s)
		if err != nil {
			if !errors.Is(err, ErrBadDN) {
				t.Fatalf("parseDN(%q): error %v is not ErrBadDN", s, err)
			}
			return
		}
		if len(d) == 0 {
			t.Fatalf("parseDN(%q) parsed no RDN without an error", s)
		}
		for _, r := range d {
			if len(r) == 0 {
				t.Fatalf("parseDN(%q) parsed an empty RDN", s)
			}
		}
		again, _ := parseDN(s)
		if !d.equal(again) {
			t.Fatalf("parseDN(%q) is not equal to itself", s)
		}
		if _, err := MatchSubjectDN(s, fx.client); err != nil {
			t.Fatalf("MatchSubjectDN(%q) failed after parseDN succeeded: %v", s, err)
		}
	})
}
