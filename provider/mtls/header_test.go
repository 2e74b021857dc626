package mtls

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func pemOf(certs ...*x509.Certificate) string {
	var b bytes.Buffer
	for _, c := range certs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.String()
}

// nginxEscape escapes as nginx's $ssl_client_escaped_cert does
// (ngx_escape_uri, NGX_ESCAPE_URI_COMPONENT): everything but letters,
// digits and "-._~" is %XX, so spaces, newlines, '+', '/' and '=' are.
func nginxEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func TestNginxEscapeShape(t *testing.T) {
	f := loadFixture(t)
	got := nginxEscape(pemOf(f.client))
	if !strings.HasPrefix(got, "-----BEGIN%20CERTIFICATE-----%0AMII") || !strings.HasSuffix(got, "-----END%20CERTIFICATE-----%0A") {
		t.Fatalf("nginx form does not look like nginx's: %.60s...", got)
	}
}

func TestFromHeader(t *testing.T) {
	f := loadFixture(t)
	leaf := pemOf(f.client)
	der := f.client.Raw
	tests := []struct {
		name  string
		value string
		want  *x509.Certificate
	}{
		{name: "nginx escaped PEM", value: nginxEscape(leaf), want: f.client},
		{name: "nginx escaped PEM with chain", value: nginxEscape(pemOf(f.client, f.ca)), want: f.client},
		{name: "url.QueryEscape of PEM", value: url.QueryEscape(leaf), want: f.client},
		{name: "url.PathEscape of PEM", value: url.PathEscape(leaf), want: f.client},
		{name: "Apache PEM with spaces", value: strings.ReplaceAll(strings.TrimSpace(leaf), "\n", " "), want: f.client},
		{name: "Apache PEM with spaces and chain", value: strings.ReplaceAll(pemOf(f.client, f.ca), "\n", " "), want: f.client},
		{name: "PEM with tabs", value: strings.ReplaceAll(leaf, "\n", "\t"), want: f.client},
		{name: "plain PEM", value: leaf, want: f.client},
		{name: "PEM with CRLF", value: strings.ReplaceAll(leaf, "\n", "\r\n"), want: f.client},
		{name: "PEM chain", value: pemOf(f.client, f.ca), want: f.client},
		{name: "PEM after other text", value: "subject=x\n" + leaf, want: f.client},
		{name: "base64 DER", value: base64.StdEncoding.EncodeToString(der), want: f.client},
		{name: "base64 DER unpadded", value: base64.RawStdEncoding.EncodeToString(der), want: f.client},
		{name: "base64url DER", value: base64.URLEncoding.EncodeToString(der), want: f.client},
		{name: "base64url DER unpadded", value: base64.RawURLEncoding.EncodeToString(der), want: f.client},
		{name: "base64 DER with chain after the leaf", value: base64.StdEncoding.EncodeToString(append(bytes.Clone(der), f.ca.Raw...)), want: f.client},
		{name: "base64 DER with spaces around", value: "  " + base64.StdEncoding.EncodeToString(f.selfSigned.Raw) + " ", want: f.selfSigned},
		{name: "other certificate", value: nginxEscape(pemOf(f.selfSigned)), want: f.selfSigned},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FromHeader(tc.value)
			if err != nil {
				t.Fatalf("FromHeader: %v", err)
			}
			if !got.Equal(tc.want) {
				t.Errorf("FromHeader returned %q, want %q", got.Subject, tc.want.Subject)
			}
		})
	}
}

func TestFromHeaderErrors(t *testing.T) {
	f := loadFixture(t)
	leaf := pemOf(f.client)
	b64 := base64.StdEncoding.EncodeToString(f.client.Raw)
	tests := []struct {
		name  string
		value string
		want  error
	}{
		{name: "empty", value: "", want: ErrNoCertificate},
		{name: "spaces", value: "  \t ", want: ErrNoCertificate},
		{name: "Apache without certificate", value: "(null)", want: ErrNoCertificate},
		{name: "garbage", value: "hello, world", want: ErrBadCertificate},
		{name: "base64 of garbage", value: base64.StdEncoding.EncodeToString([]byte("hello")), want: ErrBadCertificate},
		{name: "mixed alphabets", value: "ab+c-d==", want: ErrBadCertificate},
		{name: "bad URL escape", value: "-----BEGIN%2", want: ErrBadCertificate},
		{name: "private key PEM", value: "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n", want: ErrBadCertificate},
		{name: "PEM without END", value: leaf[:len(leaf)-30], want: ErrBadCertificate},
		{name: "PEM with bad base64", value: "-----BEGIN CERTIFICATE-----\nMII*\n-----END CERTIFICATE-----", want: ErrBadCertificate},
		{name: "PEM of garbage DER", value: "-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----", want: ErrBadCertificate},
		{name: "truncated DER", value: b64[:len(b64)/2], want: ErrBadCertificate},
		{name: "DER with a byte changed", value: base64.StdEncoding.EncodeToString(append([]byte{0x31}, f.client.Raw[1:]...)), want: ErrBadCertificate},
		{name: "oversize", value: strings.Repeat("A", MaxHeaderSize+1), want: ErrBadCertificate},
		{name: "oversize PEM", value: leaf + strings.Repeat(" ", MaxHeaderSize), want: ErrBadCertificate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cert, err := FromHeader(tc.value)
			if !errors.Is(err, tc.want) {
				t.Errorf("FromHeader: (%v, %v), want %v", cert != nil, err, tc.want)
			}
			if cert != nil {
				t.Error("FromHeader returned a certificate with an error")
			}
		})
	}
}

func TestThumbprint(t *testing.T) {
	f := loadFixture(t)
	sum := sha256.Sum256(f.client.Raw)
	got := Thumbprint(f.client)
	dec, err := base64.RawURLEncoding.DecodeString(got)
	if err != nil || !bytes.Equal(dec, sum[:]) {
		t.Fatalf("Thumbprint = %q, not the base64url SHA-256 of the DER", got)
	}
	if len(got) != 43 || strings.ContainsAny(got, "+/=") {
		t.Errorf("Thumbprint = %q: want 43 characters of unpadded base64url", got)
	}
	if Thumbprint(f.selfSigned) == got {
		t.Error("two certificates have the same thumbprint")
	}
	cnf := Confirmation(f.client)
	if len(cnf) != 1 || cnf["x5t#S256"] != got {
		t.Errorf("Confirmation = %v", cnf)
	}
	// Through a header and back: the thumbprint is of the same DER.
	viaHeader, err := FromHeader(nginxEscape(pemOf(f.client)))
	if err != nil || Thumbprint(viaHeader) != got {
		t.Errorf("thumbprint after FromHeader differs (%v)", err)
	}
}

func FuzzFromHeader(f *testing.F) {
	fx := loadFixture(f)
	leaf := pemOf(fx.client)
	for _, s := range []string{
		"", "(null)", "hello", leaf, nginxEscape(leaf), url.QueryEscape(leaf),
		strings.ReplaceAll(leaf, "\n", " "), base64.StdEncoding.EncodeToString(fx.client.Raw),
		base64.RawURLEncoding.EncodeToString(fx.selfSigned.Raw), "-----BEGIN CERTIFICATE-----",
		"-----BEGIN CERTIFICATE----- MA== -----END CERTIFICATE-----", "%", "MA", "MIIB",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cert, err := FromHeader(s)
		if err != nil {
			if cert != nil {
				t.Fatal("certificate and error")
			}
			if !errors.Is(err, ErrNoCertificate) && !errors.Is(err, ErrBadCertificate) {
				t.Fatalf("FromHeader(%q): unexpected error kind %v", s, err)
			}
			return
		}
		if cert == nil || len(s) > MaxHeaderSize {
			t.Fatalf("FromHeader(%q) accepted", s)
		}
		_ = Thumbprint(cert)
	})
}
