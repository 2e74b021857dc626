package redistest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// ServerName is the name in the server certificates WriteTLSFiles makes,
// besides the address 127.0.0.1.
const ServerName = "redis.test"

// TLSFiles are PEM files of a private CA, a server certificate it signed
// (for ServerName and 127.0.0.1) and a client certificate it signed.
type TLSFiles struct {
	CAFile         string
	ServerCertFile string
	ServerKeyFile  string
	ClientCertFile string
	ClientKeyFile  string
}

// WriteTLSFiles makes a new CA and its certificates in dir. Each call
// makes a different CA: one from another call is the wrong CA.
func WriteTLSFiles(dir string) (TLSFiles, error) {
	f := TLSFiles{
		CAFile:         filepath.Join(dir, "ca.pem"),
		ServerCertFile: filepath.Join(dir, "server.pem"),
		ServerKeyFile:  filepath.Join(dir, "server-key.pem"),
		ClientCertFile: filepath.Join(dir, "client.pem"),
		ClientKeyFile:  filepath.Join(dir, "client-key.pem"),
	}
	ca, caKey, err := issue(&x509.Certificate{
		Subject:               pkix.Name{CommonName: "redistest CA"},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}, nil, nil)
	if err != nil {
		return f, err
	}
	server, serverKey, err := issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: ServerName},
		DNSNames:    []string{ServerName},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}, ca, caKey)
	if err != nil {
		return f, err
	}
	client, clientKey, err := issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "redistest client"},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, ca, caKey)
	if err != nil {
		return f, err
	}
	serverDER, err := x509.MarshalPKCS8PrivateKey(serverKey)
	if err != nil {
		return f, fmt.Errorf("redistest: %w", err)
	}
	clientDER, err := x509.MarshalPKCS8PrivateKey(clientKey)
	if err != nil {
		return f, fmt.Errorf("redistest: %w", err)
	}
	for _, w := range []struct {
		path, kind string
		der        []byte
	}{
		{f.CAFile, "CERTIFICATE", ca.Raw},
		{f.ServerCertFile, "CERTIFICATE", server.Raw},
		{f.ServerKeyFile, "PRIVATE KEY", serverDER},
		{f.ClientCertFile, "CERTIFICATE", client.Raw},
		{f.ClientKeyFile, "PRIVATE KEY", clientDER},
	} {
		data := pem.EncodeToMemory(&pem.Block{Type: w.kind, Bytes: w.der})
		if err := os.WriteFile(w.path, data, 0o600); err != nil {
			return f, fmt.Errorf("redistest: %w", err)
		}
	}
	return f, nil
}

// issue makes a certificate from tmpl, signed by parent (self-signed when
// parent is nil), and returns it with its private key.
func issue(tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("redistest: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, fmt.Errorf("redistest: %w", err)
	}
	tmpl.SerialNumber = serial
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		return nil, nil, fmt.Errorf("redistest: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("redistest: %w", err)
	}
	return cert, key, nil
}

// clientConfig trusts the CA, and shows the client certificate when
// withCert is set; the readiness probe uses it. It reads the files just
// written, so a failure to read them shows in the probe's error.
func (f *TLSFiles) clientConfig(withCert bool) *tls.Config {
	cfg := &tls.Config{ServerName: ServerName, MinVersion: tls.VersionTLS12, RootCAs: x509.NewCertPool()}
	if pemData, err := os.ReadFile(f.CAFile); err == nil {
		cfg.RootCAs.AppendCertsFromPEM(pemData)
	}
	if withCert {
		if cert, err := tls.LoadX509KeyPair(f.ClientCertFile, f.ClientKeyFile); err == nil {
			cfg.Certificates = []tls.Certificate{cert}
		}
	}
	return cfg
}
