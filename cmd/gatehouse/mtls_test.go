package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/internal/nginxtest"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

const certHeader = "X-Gatehouse-Client-Cert-Test"

// tlsPeer is a key and its certificate.
type tlsPeer struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
}

func newPeer(t *testing.T, issuer *tlsPeer, subject pkix.Name, isCA bool) tlsPeer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: subject,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: isCA, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	parent, parentKey := tmpl, key
	if issuer != nil {
		parent, parentKey = issuer.cert, issuer.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tlsPeer{key: key, cert: cert}
}

func writePEMFile(t *testing.T, dir, name, kind string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// mtlsSetup is a Gatehouse behind nginx, which terminates TLS and passes
// client certificates in a header.
type mtlsSetup struct {
	s *server
	// tlsURL is where clients present certificates: nginx, or Gatehouse's
	// own TLS listener.
	tlsURL string
	ca     tlsPeer
	roots  *x509.CertPool
}

// startBehindNginx runs gatehouse serve with method enabled and nginx in
// front: verifying client certificates against a test CA for
// tls_client_auth, accepting any for self_signed_tls_client_auth.
func startBehindNginx(t *testing.T, method string) *mtlsSetup {
	t.Helper()
	return startBehindNginxWith(t, method, "", "")
}

// startBehindNginxWith is startBehindNginx with token adding members to
// op.token (", accessTokenAlg: PS256") and op adding lines under op:.
func startBehindNginxWith(t *testing.T, method, token, op string) *mtlsSetup {
	t.Helper()
	dir := t.TempDir()
	ca := newPeer(t, nil, pkix.Name{CommonName: "Test CA"}, true)
	serverPeer := newPeer(t, &ca, pkix.Name{CommonName: "127.0.0.1"}, false)
	keyDER, _ := x509.MarshalPKCS8PrivateKey(serverPeer.key)

	slapd := ldaptest.New(t, ldaptest.Options{LDIF: []string{"../../conf/dev-directory.ldif"}})
	pwFile := writeFile(t, dir, "ldap-password", slapd.AdminPassword)
	sum := sha256.Sum256([]byte(signInMasterToken))
	s := startServe(t, fmt.Sprintf(`issuer: http://127.0.0.1:8080
listen: 127.0.0.1:0
keys: {file: %s/jwks.json}
ldap:
  urls: [%s]
  bindDN: %s
  bindPasswordFile: %s
op:
  token: {authMethods: [client_secret_basic, %s]%s}
  tls: {clientX509CertHeader: %s}
  reg: {masterTokenSHA256: %s}
  secrets: {argon2id: {memoryKiB: 1024, iterations: 1, parallelism: 1}}
%s`, dir, slapd.URL, slapd.AdminDN, pwFile, method, token, certHeader, hex.EncodeToString(sum[:]), op))

	opts := nginxtest.Options{
		Backend:  s.base,
		CertFile: writePEMFile(t, dir, "server.pem", "CERTIFICATE", serverPeer.cert.Raw),
		KeyFile:  writePEMFile(t, dir, "server.key", "PRIVATE KEY", keyDER),
		Header:   certHeader,
	}
	if method == "tls_client_auth" {
		opts.ClientCA = writePEMFile(t, dir, "ca.pem", "CERTIFICATE", ca.cert.Raw)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	return &mtlsSetup{s: s, tlsURL: nginxtest.Start(t, opts).URL, ca: ca, roots: roots}
}

// register registers a client_credentials client with extra metadata.
func (m *mtlsSetup) register(t *testing.T, metadata string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, m.s.base+"/clients", strings.NewReader(
		`{"grant_types":["client_credentials"],"response_types":[],"scope":"api",`+metadata+`}`))
	req.Header.Set("Authorization", "Bearer "+signInMasterToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %v %v", resp.StatusCode, got, err)
	}
	return got["client_id"].(string)
}

// token asks for a client_credentials token through nginx, presenting peer.
func (m *mtlsSetup) token(t *testing.T, clientID string, peer *tlsPeer) (int, map[string]any) {
	t.Helper()
	cfg := &tls.Config{RootCAs: m.roots}
	if peer != nil {
		cfg.Certificates = []tls.Certificate{{Certificate: [][]byte{peer.cert.Raw}, PrivateKey: peer.key}}
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}}
	resp, err := c.Post(m.tlsURL+"/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func thumbprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// TestTLSClientAuthThroughNginx: a tls_client_auth client gets a token
// bound to its certificate (cnf x5t#S256) through a verifying proxy; a
// certificate with another subject, none, or a header sent straight to
// Gatehouse by someone else do not get one.
func TestTLSClientAuthThroughNginx(t *testing.T) {
	m := startBehindNginx(t, "tls_client_auth")
	clientID := m.register(t, `"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_subject_dn":"CN=service-1, O=Example Corp"`)
	good := newPeer(t, &m.ca, pkix.Name{CommonName: "service-1", Organization: []string{"example corp"}}, false)
	wrong := newPeer(t, &m.ca, pkix.Name{CommonName: "service-2", Organization: []string{"Example Corp"}}, false)

	status, body := m.token(t, clientID, &good)
	if status != http.StatusOK {
		t.Fatalf("token: %d %v", status, body)
	}
	claims := jwtClaims(t, body["access_token"].(string))
	cnf, _ := claims["cnf"].(map[string]any)
	if cnf["x5t#S256"] != thumbprint(good.cert) {
		t.Errorf("cnf = %v, want the certificate's thumbprint %s", claims["cnf"], thumbprint(good.cert))
	}
	if status, body := m.token(t, clientID, &wrong); status != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Errorf("another subject: %d %v", status, body)
	}
	// The verifying proxy refuses a request without a certificate itself
	// (ssl_verify_client on); Gatehouse refuses one that arrives without it.
	if status, _ := m.token(t, clientID, nil); status != http.StatusBadRequest {
		t.Errorf("no certificate at the proxy: %d, want nginx's 400", status)
	}
	if status, body, _ := postForm(t, m.s, "/token", "", "", url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}}); status != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Errorf("no certificate at Gatehouse: %d %v", status, body)
	}

	// Straight to Gatehouse, bypassing the proxy, a forged header is taken
	// at its word: this is why the proxy must overwrite the header and the
	// port must not be reachable but through it (README, Production guide).
	forged := url.QueryEscape(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: good.cert.Raw})))
	req, _ := http.NewRequest(http.MethodPost, m.s.base+"/token", strings.NewReader(url.Values{
		"grant_type": {"client_credentials"}, "client_id": {clientID}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(certHeader, forged)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("documented behaviour changed: a header sent past the proxy got %d", resp.StatusCode)
	}
}

// TestSelfSignedTLSClientAuthThroughNginx: the certificate's key must be
// one the client registered.
func TestSelfSignedTLSClientAuthThroughNginx(t *testing.T) {
	m := startBehindNginx(t, "self_signed_tls_client_auth")
	self := newPeer(t, nil, pkix.Name{CommonName: "self"}, false)
	other := newPeer(t, nil, pkix.Name{CommonName: "other"}, false)
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &self.key.PublicKey, KeyID: "k1"}}})
	clientID := m.register(t, `"token_endpoint_auth_method":"self_signed_tls_client_auth","jwks":`+string(jwks))

	status, body := m.token(t, clientID, &self)
	if status != http.StatusOK {
		t.Fatalf("token: %d %v", status, body)
	}
	cnf, _ := jwtClaims(t, body["access_token"].(string))["cnf"].(map[string]any)
	if cnf["x5t#S256"] != thumbprint(self.cert) {
		t.Errorf("cnf = %v", cnf)
	}
	if status, body := m.token(t, clientID, &other); status != http.StatusUnauthorized {
		t.Errorf("a certificate with another key: %d %v", status, body)
	}
}

// TestNativeTLSBothMethods: with Gatehouse terminating TLS itself
// (tls.clientAuth: request), both mutual-TLS methods work at once — the
// chain is checked against tls.clientCA for tls_client_auth clients, only
// the key for self-signed ones.
func TestNativeTLSBothMethods(t *testing.T) {
	dir := t.TempDir()
	ca := newPeer(t, nil, pkix.Name{CommonName: "Test CA"}, true)
	serverPeer := newPeer(t, &ca, pkix.Name{CommonName: "127.0.0.1"}, false)
	keyDER, _ := x509.MarshalPKCS8PrivateKey(serverPeer.key)
	slapd := ldaptest.New(t, ldaptest.Options{LDIF: []string{"../../conf/dev-directory.ldif"}})
	sum := sha256.Sum256([]byte(signInMasterToken))
	s := startServe(t, fmt.Sprintf(`issuer: http://127.0.0.1:8080
listen: 127.0.0.1:0
tls: {cert: %s, key: %s, clientCA: %s, clientAuth: request}
keys: {file: %s/jwks.json}
ldap:
  urls: [%s]
  bindDN: %s
  bindPasswordFile: %s
op:
  token: {authMethods: [client_secret_basic, tls_client_auth, self_signed_tls_client_auth]}
  reg: {masterTokenSHA256: %s}
  secrets: {argon2id: {memoryKiB: 1024, iterations: 1, parallelism: 1}}
`, writePEMFile(t, dir, "server.pem", "CERTIFICATE", serverPeer.cert.Raw), writePEMFile(t, dir, "server.key", "PRIVATE KEY", keyDER),
		writePEMFile(t, dir, "ca.pem", "CERTIFICATE", ca.cert.Raw), dir, slapd.URL, slapd.AdminDN,
		writeFile(t, dir, "ldap-password", slapd.AdminPassword), hex.EncodeToString(sum[:])))
	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	tlsURL := strings.Replace(s.base, "http://", "https://", 1)
	// Everything, registration included, goes over the TLS port.
	m := &mtlsSetup{s: &server{base: tlsURL}, tlsURL: tlsURL, ca: ca, roots: roots}
	httpsDefault(t, roots)

	pki := m.register(t, `"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_dns":"svc.example.org"`)
	self := newPeer(t, nil, pkix.Name{CommonName: "self"}, false)
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &self.key.PublicKey, KeyID: "k1"}}})
	selfSigned := m.register(t, `"token_endpoint_auth_method":"self_signed_tls_client_auth","jwks":`+string(jwks))

	issued := newPeerWithDNS(t, &ca, "svc.example.org")
	if status, body := m.token(t, pki, &issued); status != http.StatusOK {
		t.Errorf("tls_client_auth over native TLS: %d %v", status, body)
	}
	otherCA := newPeer(t, nil, pkix.Name{CommonName: "Other CA"}, true)
	forged := newPeerWithDNS(t, &otherCA, "svc.example.org")
	if status, _ := m.token(t, pki, &forged); status != http.StatusUnauthorized {
		t.Errorf("a certificate from another CA: %d, want 401", status)
	}
	if status, body := m.token(t, selfSigned, &self); status != http.StatusOK {
		t.Errorf("self_signed_tls_client_auth over native TLS: %d %v", status, body)
	}
}

func newPeerWithDNS(t *testing.T, issuer *tlsPeer, dns string) tlsPeer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: dns},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		DNSNames: []string{dns},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer.cert, &key.PublicKey, issuer.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return tlsPeer{key: key, cert: cert}
}

// httpsDefault makes http.DefaultClient trust roots for this test.
func httpsDefault(t *testing.T, roots *x509.CertPool) {
	t.Helper()
	old := http.DefaultClient.Transport
	http.DefaultClient.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}
	t.Cleanup(func() { http.DefaultClient.Transport = old })
}
