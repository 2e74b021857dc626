package conf

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// The values of keys.store.
const (
	KeysStoreFile      = "file"
	KeysStoreDirectory = "directory"
)

// kekSize is the length of the key-encryption key: AES-256.
const kekSize = 32

// maxJWKSMaxAge caps the Cache-Control max-age of /jwks.json.
const maxJWKSMaxAge = 15 * time.Minute

// checkKeysStore checks the keys of a shared key set (docs/keys.md).
func checkKeysStore(c *Config, r *report) {
	k := c.Keys
	r.oneOf("keys.store", k.Store, KeysStoreFile, KeysStoreDirectory)
	if r.positive("keys.refreshInterval", k.RefreshInterval) && k.PrePublication < k.RefreshInterval {
		// A key must be seen by every instance before any signs with it.
		r.add("keys.prePublication", "must be at least keys.refreshInterval (%s), not %s", k.RefreshInterval, k.PrePublication)
	}
	if k.Store != KeysStoreDirectory {
		return
	}
	d := k.Directory
	if d.DN != "" {
		checkDN(r, "keys.directory.dn", d.DN)
	}
	switch {
	case d.KEKFile != "" && d.KEKEnv != "":
		r.add("keys.directory.kekFile", "set keys.directory.kekFile or keys.directory.kekEnv, not both")
	case d.KEKFile == "" && d.KEKEnv == "":
		r.add("keys.directory.kekFile", "keys.store directory needs a key-encryption key: set keys.directory.kekFile or keys.directory.kekEnv")
	}
}

// resolveKEK reads the key-encryption key and checks its form, naming the
// key it came from but never the value.
func resolveKEK(d *KeysDirectory) []Problem {
	var path string
	var fetch func() (string, error)
	switch {
	case d.KEKFile != "" && d.KEKEnv != "":
		return nil // validation reports the conflict
	case d.KEKFile != "":
		path, fetch = "keys.directory.kekFile", func() (string, error) { return secretFromFile(d.KEKFile) }
	case d.KEKEnv != "":
		path, fetch = "keys.directory.kekEnv", func() (string, error) { return secretFromEnv(d.KEKEnv) }
	default:
		return nil
	}
	kek, err := fetch()
	if err != nil {
		return []Problem{{Path: path, Message: err.Error()}}
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(kek))
	if err != nil || len(raw) != kekSize {
		return []Problem{{Path: path, Message: "the key-encryption key must be 32 bytes in base64 (gatehouse keys kek prints one)"}}
	}
	d.KEK = strings.TrimSpace(kek)
	return nil
}

// KeysDN is the DN of the key set's entry: keys.directory.dn, or
// cn=gatehouse-keys beside the clients' subtree (under the parent of
// ldap.clients.baseDN).
func (c *Config) KeysDN() string {
	if c.Keys.Directory.DN != "" {
		return c.Keys.Directory.DN
	}
	parent := c.LDAP.Clients.BaseDN
	if dn, err := ldap.ParseDN(parent); err == nil && len(dn.RDNs) > 1 {
		parent = (&ldap.DN{RDNs: dn.RDNs[1:]}).String()
	}
	return "cn=gatehouse-keys," + parent
}

// JWKSMaxAge is the Cache-Control max-age of /jwks.json: half of what the
// pre-publication period leaves once every instance has refreshed, at most
// 15 minutes. A relying party that cached the document just before a new
// key appeared thus refetches it before the key signs. Negative means 0.
func (c *Config) JWKSMaxAge() time.Duration {
	age := min((c.Keys.PrePublication-c.Keys.RefreshInterval)/2, maxJWKSMaxAge)
	if age < time.Second {
		return -1
	}
	return age
}

// MaxTokenLifetime is the longest a token signed by one of our keys is
// accepted: the longer of the ID token and access token lifetimes.
func (c *Config) MaxTokenLifetime(idTokenLifetime time.Duration) time.Duration {
	return max(idTokenLifetime, c.OP.Token.AccessTokenLifetime)
}
