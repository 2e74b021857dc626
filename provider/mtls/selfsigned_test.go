package mtls

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// registeredSet returns keys as a client registers them: through JSON.
func registeredSet(t *testing.T, keys ...jose.JSONWebKey) jose.JSONWebKeySet {
	t.Helper()
	raw, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	return set
}

func TestMatchSelfSigned(t *testing.T) {
	f := loadFixture(t)
	selfPub := jose.JSONWebKey{Key: f.selfKey.Public(), KeyID: "self", Use: "sig"}
	otherPub := jose.JSONWebKey{Key: ecKey().Public(), KeyID: "other"}
	edPub := jose.JSONWebKey{Key: f.edKey.Public(), KeyID: "ed"}
	withX5C := jose.JSONWebKey{Key: f.selfKey.Public(), KeyID: "x5c", Certificates: []*x509.Certificate{f.selfSigned}}
	hmac := jose.JSONWebKey{Key: []byte("0123456789abcdef0123456789abcdef"), KeyID: "hmac", Algorithm: "HS256"}

	tests := []struct {
		name string
		set  jose.JSONWebKeySet
		cert *x509.Certificate
		want bool
	}{
		{name: "public key in the set", set: registeredSet(t, otherPub, selfPub), cert: f.selfSigned, want: true},
		{name: "Ed25519 key", set: registeredSet(t, edPub), cert: f.edSelfSigned, want: true},
		{name: "private key registered by mistake", set: registeredSet(t, jose.JSONWebKey{Key: f.selfKey, KeyID: "p"}), cert: f.selfSigned, want: true},
		{name: "x5c leaf is the certificate", set: registeredSet(t, withX5C), cert: f.selfSigned, want: true},
		{name: "x5c leaf only", cert: f.selfSigned, want: true,
			set: jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: otherPub.Key, Certificates: []*x509.Certificate{f.selfSigned}}}}},
		{name: "key not in the set", set: registeredSet(t, otherPub, edPub), cert: f.selfSigned, want: false},
		{name: "same key type, other certificate", set: registeredSet(t, selfPub), cert: f.client, want: false},
		{name: "x5c of another certificate", set: registeredSet(t, withX5C), cert: f.client, want: false},
		{name: "symmetric key only", set: registeredSet(t, hmac), cert: f.selfSigned, want: false},
		{name: "empty set", set: jose.JSONWebKeySet{}, cert: f.selfSigned, want: false},
		{name: "no certificate", set: registeredSet(t, selfPub), cert: nil, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := MatchSelfSigned(tc.set, tc.cert); got != tc.want {
				t.Errorf("MatchSelfSigned = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestVerifyChain(t *testing.T) {
	f := loadFixture(t)
	roots := x509.NewCertPool()
	roots.AddCert(f.ca)
	tests := []struct {
		name  string
		cert  *x509.Certificate
		inter []*x509.Certificate
		roots *x509.CertPool
		ok    bool
		is    error
	}{
		{name: "issued by the CA", cert: f.client, roots: roots, ok: true},
		{name: "unknown attribute types are no obstacle", cert: f.private, roots: roots, ok: true},
		{name: "through an intermediate", cert: f.viaIntermediate, inter: []*x509.Certificate{f.intermediate}, roots: roots, ok: true},
		{name: "intermediate missing", cert: f.viaIntermediate, roots: roots},
		{name: "issued by another CA", cert: f.fromOther, roots: roots},
		{name: "self-signed", cert: f.selfSigned, roots: roots},
		{name: "expired", cert: f.expired, roots: roots},
		{name: "server authentication only", cert: f.serverOnly, roots: roots},
		{name: "no roots", cert: f.client, is: ErrNoRoots},
		{name: "no certificate", roots: roots, is: ErrNoCertificate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyChain(tc.cert, tc.inter, tc.roots, testNow)
			if tc.ok != (err == nil) {
				t.Fatalf("VerifyChain: %v, want ok=%v", err, tc.ok)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("VerifyChain: %v, want %v", err, tc.is)
			}
		})
	}
}
