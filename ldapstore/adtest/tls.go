package adtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// certLifetime covers any test run; the certificates die with the DC.
const certLifetime = 24 * time.Hour

// writeTLSFiles gives the DC at addr a certificate from a fresh private CA,
// in the files Samba reads by default (private/tls/{ca,cert,key}.pem).
// Samba generates its own on first start otherwise, but that one has no
// subject alternative name and a negative serial, which Go refuses. It
// also writes an unrelated CA, for tests that a wrong CA is refused.
func writeTLSFiles(dir, addr string) (caFile, wrongCAFile string, err error) {
	tlsDir := filepath.Join(dir, "private", "tls")
	if err := os.MkdirAll(tlsDir, 0o700); err != nil {
		return "", "", err
	}
	caKey, caCert, err := newCA("adtest CA")
	if err != nil {
		return "", "", err
	}
	certDER, key, err := newServerCert(addr, caKey, caCert)
	if err != nil {
		return "", "", err
	}
	_, wrongCA, err := newCA("adtest unrelated CA")
	if err != nil {
		return "", "", err
	}
	caFile = filepath.Join(tlsDir, "ca.pem")
	wrongCAFile = filepath.Join(dir, "wrong-ca.pem")
	files := []struct {
		path  string
		block *pem.Block
	}{
		{caFile, &pem.Block{Type: "CERTIFICATE", Bytes: caCert.Raw}},
		{filepath.Join(tlsDir, "cert.pem"), &pem.Block{Type: "CERTIFICATE", Bytes: certDER}},
		// Samba refuses a key file that others may read.
		{filepath.Join(tlsDir, "key.pem"), &pem.Block{Type: "PRIVATE KEY", Bytes: key}},
		{wrongCAFile, &pem.Block{Type: "CERTIFICATE", Bytes: wrongCA.Raw}},
	}
	for _, f := range files {
		if err := os.WriteFile(f.path, pem.EncodeToMemory(f.block), 0o600); err != nil {
			return "", "", err
		}
	}
	return caFile, wrongCAFile, nil
}

// newServerCert issues the DC's certificate: clients connect to the IP
// address, and may use the host name if they resolve it themselves.
func newServerCert(addr string, caKey *ecdsa.PrivateKey, ca *x509.Certificate) (certDER, keyDER []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	fqdn := HostName + "." + strings.ToLower(Realm)
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: fqdn},
		DNSNames:     []string{fqdn, HostName},
		IPAddresses:  []net.IP{net.ParseIP(addr)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(certLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if certDER, err = x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey); err != nil {
		return nil, nil, fmt.Errorf("issue server certificate: %w", err)
	}
	keyDER, err = x509.MarshalPKCS8PrivateKey(key)
	return certDER, keyDER, err
}

func newCA(name string) (*ecdsa.PrivateKey, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(certLifetime),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("create CA: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	return key, cert, err
}

// serial is a random positive serial number, so that certificates of
// successive DCs never look alike to a client that caches.
func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62)) // crypto/rand does not fail
	return n.Add(n, big.NewInt(1))
}
