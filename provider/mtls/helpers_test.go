package mtls

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"
)

var (
	oidCN      = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidC       = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidL       = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidO       = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU      = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidOrgID   = asn1.ObjectIdentifier{2, 5, 4, 97}
	oidEmail   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	oidPrivate = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}
	oidNumeric = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 2}
)

// testNow is the time the test certificates are valid at.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// fixture holds the certificates of the tests, made once.
type fixture struct {
	ca, otherCA     *x509.Certificate
	intermediate    *x509.Certificate // issued by ca
	viaIntermediate *x509.Certificate // issued by intermediate
	client          *x509.Certificate // issued by ca; DN with a multi-valued RDN, SANs
	clientKey       crypto.Signer
	private         *x509.Certificate // issued by ca; unknown attribute types
	simple          *x509.Certificate // issued by ca; subject from a pkix.Name
	fromOther       *x509.Certificate // issued by otherCA
	expired         *x509.Certificate // issued by ca, expired at testNow
	serverOnly      *x509.Certificate // issued by ca for serverAuth only
	selfSigned      *x509.Certificate
	selfKey         crypto.Signer
	edSelfSigned    *x509.Certificate
	edKey           ed25519.PrivateKey
}

var (
	fixtureOnce sync.Once
	theFixture  fixture
	fixtureErr  error
)

func loadFixture(t testing.TB) *fixture {
	t.Helper()
	fixtureOnce.Do(func() { fixtureErr = theFixture.build() })
	if fixtureErr != nil {
		t.Fatalf("building test certificates: %v", fixtureErr)
	}
	return &theFixture
}

func ecKey() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

var serial int64

func template(subject pkix.Name) *x509.Certificate {
	serial++
	return &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      subject,
		NotBefore:    testNow.Add(-time.Hour),
		NotAfter:     testNow.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
}

func caTemplate(cn string) *x509.Certificate {
	tmpl := template(pkix.Name{CommonName: cn})
	tmpl.IsCA = true
	tmpl.BasicConstraintsValid = true
	tmpl.KeyUsage = x509.KeyUsageCertSign
	tmpl.ExtKeyUsage = nil
	tmpl.NotAfter = testNow.Add(365 * 24 * time.Hour)
	return tmpl
}

func issue(tmpl, parent *x509.Certificate, pub crypto.PublicKey, parentKey crypto.Signer) (*x509.Certificate, error) {
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func rawSubject(seq pkix.RDNSequence) []byte {
	der, err := asn1.Marshal(seq)
	if err != nil {
		panic(err)
	}
	return der
}

func atv(oid asn1.ObjectIdentifier, v any) pkix.AttributeTypeAndValue {
	return pkix.AttributeTypeAndValue{Type: oid, Value: v}
}

func tagged(tag int, s string) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassUniversal, Tag: tag, Bytes: []byte(s)}
}

// clientSubject is the client certificate's subject, most significant RDN
// first. Its RFC 4514 form is clientDN.
var clientSubject = pkix.RDNSequence{
	{atv(oidC, "DE")},
	{atv(oidO, "Example Bank")},
	{atv(oidOU, "Payments"), atv(oidL, "Berlin")},
	{atv(oidOrgID, "PSDDE-BAFIN-123456")},
	{atv(oidCN, "client, one")},
	{atv(oidEmail, tagged(asn1.TagIA5String, "ops@example.com"))},
}

const clientDN = `emailAddress=ops@example.com,CN=client\, one,organizationIdentifier=PSDDE-BAFIN-123456,OU=Payments+L=Berlin,O=Example Bank,C=DE`

var privateSubject = pkix.RDNSequence{
	{atv(oidCN, "Zürich svc")},
	{atv(oidPrivate, tagged(asn1.TagUTF8String, "Zürich"))},
	{atv(oidNumeric, tagged(asn1.TagNumericString, "12 345"))},
}

const privateDN = `1.3.6.1.4.1.99999.2=12 345,1.3.6.1.4.1.99999.1=Zürich,CN=Zürich svc`

func (f *fixture) build() error {
	caKey, otherKey := ecKey(), ecKey()
	var err error
	if f.ca, err = issue(caTemplate("Test CA"), nil, caKey.Public(), caKey); err != nil {
		return err
	}
	if f.otherCA, err = issue(caTemplate("Other CA"), nil, otherKey.Public(), otherKey); err != nil {
		return err
	}

	interKey := ecKey()
	if f.intermediate, err = issue(caTemplate("Intermediate CA"), f.ca, interKey.Public(), caKey); err != nil {
		return err
	}
	if f.viaIntermediate, err = issue(template(pkix.Name{CommonName: "leaf"}), f.intermediate, ecKey().Public(), interKey); err != nil {
		return err
	}

	f.clientKey = ecKey()
	tmpl := template(pkix.Name{})
	tmpl.RawSubject = rawSubject(clientSubject)
	tmpl.DNSNames = []string{"Client.Example.COM"}
	tmpl.IPAddresses = []net.IP{net.ParseIP("192.0.2.10"), net.ParseIP("2001:db8::1")}
	tmpl.EmailAddresses = []string{"Ops.Team@Example.COM"}
	spiffe, _ := url.Parse("spiffe://example.org/ns/payments/sa/client")
	tmpl.URIs = []*url.URL{spiffe}
	if f.client, err = issue(tmpl, f.ca, f.clientKey.Public(), caKey); err != nil {
		return err
	}

	tmpl = template(pkix.Name{})
	tmpl.RawSubject = rawSubject(privateSubject)
	if f.private, err = issue(tmpl, f.ca, ecKey().Public(), caKey); err != nil {
		return err
	}

	tmpl = template(pkix.Name{
		Country:            []string{"SE"},
		Organization:       []string{"Acme, Inc."},
		OrganizationalUnit: []string{"R+D"},
		CommonName:         " spaced #1 ",
	})
	if f.simple, err = issue(tmpl, f.ca, ecKey().Public(), caKey); err != nil {
		return err
	}

	if f.fromOther, err = issue(template(pkix.Name{CommonName: "client"}), f.otherCA, ecKey().Public(), otherKey); err != nil {
		return err
	}

	tmpl = template(pkix.Name{CommonName: "expired"})
	tmpl.NotBefore, tmpl.NotAfter = testNow.Add(-48*time.Hour), testNow.Add(-24*time.Hour)
	if f.expired, err = issue(tmpl, f.ca, ecKey().Public(), caKey); err != nil {
		return err
	}

	tmpl = template(pkix.Name{CommonName: "server"})
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	if f.serverOnly, err = issue(tmpl, f.ca, ecKey().Public(), caKey); err != nil {
		return err
	}

	f.selfKey = ecKey()
	if f.selfSigned, err = issue(template(pkix.Name{CommonName: "self"}), nil, f.selfKey.Public(), f.selfKey); err != nil {
		return err
	}
	_, f.edKey, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	f.edSelfSigned, err = issue(template(pkix.Name{CommonName: "ed"}), nil, f.edKey.Public(), f.edKey)
	return err
}
