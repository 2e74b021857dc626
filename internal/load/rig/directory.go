package rig

import (
	"context"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // {SSHA} is what OpenLDAP directories hold; not our choice of hash
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gatehouse-idp/gatehouse/internal/load/scenarios"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// peopleDN is where ldaptest's directory keeps people.
const peopleDN = "ou=people,dc=example,dc=org"

// StartDirectory starts a private slapd holding users (under
// ou=people,dc=example,dc=org, uid = name) and Gatehouse's schema. The
// LDIF is written into dir. The caller closes the server. Without slapd
// the error wraps ldaptest.ErrNotInstalled.
func StartDirectory(ctx context.Context, dir string, users []scenarios.User) (*ldaptest.Slapd, error) {
	path, err := writeUsers(dir, users)
	if err != nil {
		return nil, err
	}
	return ldaptest.StartSlapd(ctx, ldaptest.Options{LDIF: []string{path}})
}

// writeUsers writes UsersLDIF into dir and returns its path.
func writeUsers(dir string, users []scenarios.User) (string, error) {
	path := filepath.Join(dir, "users.ldif")
	if err := os.WriteFile(path, []byte(UsersLDIF(users)), 0o600); err != nil {
		return "", fmt.Errorf("rig: write users: %w", err)
	}
	return path, nil
}

// UsersLDIF is the LDIF of people for users, with salted SHA-1 passwords
// as an OpenLDAP directory would hold them, so that every sign-in costs
// the directory a real bind. Each person's entryUUID (Gatehouse's
// subject) is fixed by the name (UserUUID), so that two directories
// loaded from it are replicas as far as sign-ins and sessions can tell.
func UsersLDIF(users []scenarios.User) string {
	var b strings.Builder
	// ldaptest adds the other units after the files, so the parent of the
	// people comes first here.
	fmt.Fprintf(&b, "dn: %s\nobjectClass: organizationalUnit\nou: people\n\n", peopleDN)
	for i, u := range users {
		fmt.Fprintf(&b, "dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: Load User %d\nsn: User%d\ngivenName: Load\nmail: %s@example.org\nuserPassword: %s\nentryUUID: %s\n\n",
			u.Name, peopleDN, u.Name, i+1, i+1, u.Name, ssha(u.Password), UserUUID(u.Name))
	}
	return b.String()
}

func ssha(password string) string {
	salt := make([]byte, 8)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails
	sum := sha1.Sum(append([]byte(password), salt...))
	return "{SSHA}" + base64.StdEncoding.EncodeToString(append(sum[:], salt...))
}

// UserUUID is the entryUUID the rig gives the person called name: a
// name-based (version 5 layout) UUID, the same in every directory.
func UserUUID(name string) string {
	sum := sha1.Sum([]byte("gatehouse-load-user:" + name))
	sum[6] = sum[6]&0x0f | 0x50 // version 5
	sum[8] = sum[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
