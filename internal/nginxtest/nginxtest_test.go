package nginxtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestProxyPassesTheClientCertificate(t *testing.T) {
	dir := t.TempDir()
	caKey, ca := newCert(t, nil, nil, "test CA", true)
	serverKey, server := newCert(t, ca, caKey, "127.0.0.1", false)
	clientKey, client := newCert(t, ca, caKey, "client", false)
	otherKey, other := newCert(t, nil, nil, "self-signed", false)
	caFile := writePEM(t, dir, "ca.pem", "CERTIFICATE", ca.Raw)
	certFile := writePEM(t, dir, "server.pem", "CERTIFICATE", server.Raw)
	keyFile := writePEM(t, dir, "server.key", "PRIVATE KEY", pkcs8(t, serverKey))

	got := make(chan string, 1)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("X-Test-Cert")
	}))
	defer backend.Close()

	roots := x509.NewCertPool()
	roots.AddCert(ca)
	call := func(p *Proxy, cert *x509.Certificate, key *ecdsa.PrivateKey) int {
		cfg := &tls.Config{RootCAs: roots}
		if cert != nil {
			cfg.Certificates = []tls.Certificate{{Certificate: [][]byte{cert.Raw}, PrivateKey: key}}
		}
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
		resp, err := c.Get(p.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}

	pki := Start(t, Options{Backend: backend.URL, CertFile: certFile, KeyFile: keyFile, ClientCA: caFile, Header: "X-Test-Cert"})
	if status := call(pki, client, clientKey); status != http.StatusOK {
		t.Fatalf("CA-issued certificate: %d", status)
	}
	header, _ := url.QueryUnescape(<-got)
	block, _ := pem.Decode([]byte(header))
	if block == nil || string(block.Bytes) != string(client.Raw) {
		t.Errorf("the backend got %q, not the client certificate", header)
	}
	if status := call(pki, other, otherKey); status != http.StatusBadRequest {
		t.Errorf("self-signed certificate through a verifying proxy: %d, want 400", status)
	}

	open := Start(t, Options{Backend: backend.URL, CertFile: certFile, KeyFile: keyFile, Header: "X-Test-Cert"})
	if status := call(open, other, otherKey); status != http.StatusOK {
		t.Fatalf("self-signed certificate through optional_no_ca: %d", status)
	}
	header, _ = url.QueryUnescape(<-got)
	if block, _ := pem.Decode([]byte(header)); block == nil || string(block.Bytes) != string(other.Raw) {
		t.Errorf("the backend got %q, not the self-signed certificate", header)
	}
	if status := call(open, nil, nil); status != http.StatusOK || <-got != "" {
		t.Errorf("no certificate: the header must be absent")
	}
}

func newCert(t *testing.T, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, cn string, isCA bool) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: isCA, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

func pkcs8(t *testing.T, key *ecdsa.PrivateKey) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func writePEM(t *testing.T, dir, name, kind string, der []byte) string {
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
