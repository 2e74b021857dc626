package rig

import (
	"crypto/sha1" //nolint:gosec // checking the {SSHA} values the rig writes
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/internal/load/scenarios"
)

// TestUsersLDIF: the people's parent comes first (ldaptest adds the other
// units after the files) and each password is a salted SHA-1 that
// verifies, as slapd will check it.
func TestUsersLDIF(t *testing.T) {
	users := []scenarios.User{{Name: "user0001", Password: "pw-1"}, {Name: "user0002", Password: "pw-2"}}
	ldif := UsersLDIF(users)
	if !strings.HasPrefix(ldif, "dn: ou=people,dc=example,dc=org\n") {
		t.Fatalf("LDIF does not start with the people unit:\n%s", ldif)
	}
	hashes := regexp.MustCompile(`(?m)^userPassword: \{SSHA\}(\S+)$`).FindAllStringSubmatch(ldif, -1)
	if len(hashes) != len(users) || !strings.Contains(ldif, "dn: uid=user0002,ou=people,dc=example,dc=org\n") {
		t.Fatalf("want %d users with {SSHA} passwords:\n%s", len(users), ldif)
	}
	for i, h := range hashes {
		raw, err := base64.StdEncoding.DecodeString(h[1])
		if err != nil || len(raw) <= sha1.Size {
			t.Fatalf("hash %q: %v", h[1], err)
		}
		sum := sha1.Sum(append([]byte(users[i].Password), raw[sha1.Size:]...))
		if string(sum[:]) != string(raw[:sha1.Size]) {
			t.Errorf("%s's hash does not verify", users[i].Name)
		}
	}
	if hashes[0][1] == hashes[1][1] {
		t.Error("two users share a hash: no salt")
	}
}
