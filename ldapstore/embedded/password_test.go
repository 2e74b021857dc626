package embedded

import (
	"crypto/sha1"
	"encoding/base64"
	"testing"

	"github.com/alexedwards/argon2id"
	"golang.org/x/crypto/bcrypt"
)

func TestVerifyPassword(t *testing.T) {
	bc, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := argon2id.CreateHash("pw", &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 8, KeyLength: 16})
	if err != nil {
		t.Fatal(err)
	}
	sha := sha1.Sum([]byte("pw"))
	tests := []struct {
		name, stored, presented string
		want                    bool
	}{
		{"plain", "pw", "pw", true},
		{"plain, other case", "pw", "PW", false},
		{"plain prefix", "pw", "p", false},
		{"SSHA from the dev directory", "{SSHA}WDWmGzscqDJgxdmSJ1K5NrbDCLpHaEFsaWNlMQ==", "alice-password", true},
		{"SSHA, scheme in lower case", "{ssha}WDWmGzscqDJgxdmSJ1K5NrbDCLpHaEFsaWNlMQ==", "alice-password", true},
		{"SSHA wrong", "{SSHA}WDWmGzscqDJgxdmSJ1K5NrbDCLpHaEFsaWNlMQ==", "bob-password", false},
		{"SHA unsalted", "{SHA}" + base64.StdEncoding.EncodeToString(sha[:]), "pw", true},
		{"SSHA too short", "{SSHA}c2hvcnQ=", "pw", false},
		{"SSHA not base64", "{SSHA}!!!", "pw", false},
		{"bcrypt $2a$", "{CRYPT}" + string(bc), "pw", true},
		{"bcrypt $2b$", "{CRYPT}$2b$" + string(bc[4:]), "pw", true},
		{"bcrypt wrong", "{CRYPT}" + string(bc), "pW", false},
		{"crypt other than bcrypt", "{CRYPT}$6$salt$hash", "pw", false},
		{"argon2id", "{ARGON2}" + a2, "pw", true},
		{"argon2id wrong", "{ARGON2}" + a2, "px", false},
		{"argon2id malformed", "{ARGON2}$argon2id$nonsense", "pw", false},
		{"unknown scheme", "{MD5}abc", "{MD5}abc", false},
		{"brace without scheme is plain", "{}pw", "{}pw", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := verifyPassword(tc.stored, tc.presented); got != tc.want {
				t.Errorf("verifyPassword(%q, %q) = %v", tc.stored, tc.presented, got)
			}
		})
	}
}
