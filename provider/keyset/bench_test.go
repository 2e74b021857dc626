package keyset

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// BenchmarkRS256 signs with the RSA key of a set as generated and as
// read back from its file: reading must not make signing slower (the
// CRT values are precomputed on load).
func BenchmarkRS256(b *testing.B) {
	fresh, err := Generate()
	if err != nil {
		b.Fatal(err)
	}
	data, err := json.Marshal(fresh)
	if err != nil {
		b.Fatal(err)
	}
	loaded, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	digest := sha256.Sum256([]byte("payload"))
	for name, set := range map[string]*Set{"generated": fresh, "loaded": loaded} {
		k, _ := set.SigningKey(jose.RS256)
		key := k.Key.(*rsa.PrivateKey)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
