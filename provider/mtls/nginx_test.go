package mtls

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/internal/nginxtest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// TestFromHeaderThroughNginx reads the header a real nginx sets from
// $ssl_client_escaped_cert.
func TestFromHeaderThroughNginx(t *testing.T) {
	dir := t.TempDir()
	// nginx checks validity against the real clock, so this test makes its
	// own certificates, valid now. The client's is self-signed: with
	// optional_no_ca nginx passes it on and leaves the trust to the backend.
	clientKey := ecKey()
	clientTmpl := template(pkix.Name{})
	clientTmpl.RawSubject = rawSubject(clientSubject)
	clientTmpl.NotBefore, clientTmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	client, err := issue(clientTmpl, nil, clientKey.Public(), clientKey)
	if err != nil {
		t.Fatal(err)
	}
	serverKey := ecKey()
	tmpl := template(pkix.Name{CommonName: "proxy"})
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	server, err := issue(tmpl, nil, serverKey.Public(), serverKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(serverKey)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, kind string, der []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	certFile, keyFile := write("server.pem", "CERTIFICATE", server.Raw), write("server.key", "PRIVATE KEY", keyDER)

	got := make(chan string, 1)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("X-Client-Cert-7f3a")
	}))
	defer backend.Close()
	proxy := nginxtest.Start(t, nginxtest.Options{Backend: backend.URL, CertFile: certFile, KeyFile: keyFile, Header: "X-Client-Cert-7f3a"})

	roots := x509.NewCertPool()
	roots.AddCert(server)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs:      roots,
		Certificates: []tls.Certificate{{Certificate: [][]byte{client.Raw}, PrivateKey: clientKey}},
	}}}
	resp, err := c.Get(proxy.URL + "/token")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("through nginx: %d", resp.StatusCode)
	}

	header := <-got
	if want := nginxEscape(pemOf(client)); header != want {
		t.Errorf("nginx's form differs from the tests' nginxEscape:\n got %.80s\nwant %.80s", header, want)
	}
	cert, err := FromHeader(header)
	if err != nil {
		t.Fatalf("FromHeader of nginx's header: %v", err)
	}
	if !cert.Equal(client) || Thumbprint(cert) != Thumbprint(client) {
		t.Fatal("nginx's header holds another certificate")
	}
	ok, err := MatchClient(oauth.Client{ID: "c", Metadata: oauth.Metadata{TLSClientAuthSubjectDN: clientDN}}, cert)
	if err != nil || !ok {
		t.Errorf("MatchClient after nginx: %v, %v", ok, err)
	}
	if !MatchSelfSigned(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: clientKey.Public()}}}, cert) {
		t.Error("MatchSelfSigned after nginx: the key does not match")
	}
}
