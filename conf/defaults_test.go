package conf

import (
	"reflect"
	"testing"
	"time"
)

// minimalYAML is the smallest valid configuration: the issuer has no default.
const minimalYAML = "issuer: http://127.0.0.1:8080\n"

// wantDefaults spells the defaults out again, independently of defaults(),
// so that a slip in either is caught.
func wantDefaults() Config {
	return Config{
		Issuer: "http://127.0.0.1:8080",
		Listen: "127.0.0.1:8080",
		HTTP:   HTTP{RequestTimeout: 5 * time.Second, DrainPeriod: 5 * time.Second, ShutdownGrace: 20 * time.Second},
		TLS:    TLS{ClientAuth: "none"},
		Keys:   Keys{File: "var/jwks.json", Store: "file", RefreshInterval: time.Minute, PrePublication: 10 * time.Minute},
		LDAP: LDAP{
			Embedded:      Embedded{Seed: "conf/dev-directory.ldif", Data: "var/directory.ldif", Listen: "127.0.0.1:0"},
			BindDN:        "cn=admin,dc=example,dc=org",
			Timeout:       5 * time.Second,
			PoolSize:      8,
			ProbeInterval: time.Second, ProbeTimeout: time.Second, UpProbeInterval: 10 * time.Second,
			Clients:        Subtree{BaseDN: "ou=clients,dc=example,dc=org"},
			Authorizations: Subtree{BaseDN: "ou=authorizations,dc=example,dc=org"},
			Users: Users{
				Profile:          "openldap",
				PasswordChange:   "passwordModify",
				BaseDN:           "ou=people,dc=example,dc=org",
				Filter:           "(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username})))",
				SubjectAttribute: "entryUUID",
				Claims:           map[string]string{"preferred_username": "uid", "name": "cn", "given_name": "givenName", "family_name": "sn", "email": "mail"},
				Groups:           Groups{BaseDN: "ou=groups,dc=example,dc=org", Filter: "(member={dn})", NameAttribute: "cn", Claim: "groups", MaxDepth: 8},
			},
		},
		Sessions: Sessions{Store: "memory", Redis: Redis{KeyPrefix: "gatehouse:"}, Lifetime: 8 * time.Hour, IdleTimeout: 30 * time.Minute, PendingFlows: PendingFlows{Max: 20_000, PerAddress: 256}},
		OP: OP{
			Authz: Authz{
				ResponseModes:    []string{"query", "fragment", "form_post", "query.jwt", "fragment.jwt", "form_post.jwt", "jwt"},
				ResponseJWSAlgs:  []string{"RS256", "PS256", "ES256", "HS256"},
				ResponseJWEAlgs:  []string{"RSA-OAEP-256", "ECDH-ES", "dir"},
				ResponseJWEEncs:  []string{"A128CBC-HS256", "A256GCM"},
				ResponseLifetime: 10 * time.Minute,
				CodeLifetime:     time.Minute,
			},
			Token: Token{
				AuthMethods:          []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"},
				AccessTokenLifetime:  10 * time.Minute,
				AccessTokenAlg:       "RS256",
				RefreshTokenLifetime: 30 * 24 * time.Hour,
			},
			Logout: Logout{
				Backchannel:  Backchannel{Timeout: 5 * time.Second, Attempts: 5, RetryDelay: 2 * time.Second, Workers: 2},
				Frontchannel: Frontchannel{Wait: 5 * time.Second},
			},
			Reg:     Reg{SecretRolloverWindow: 30 * time.Minute},
			Device:  Device{Lifetime: 10 * time.Minute, Interval: 5 * time.Second},
			DPoP:    DPoP{Algs: []string{"ES256", "EdDSA", "RS256", "PS256"}, MaxAge: time.Minute, ClockSkew: 5 * time.Second, NonceLifetime: 5 * time.Minute},
			Secrets: Secrets{Codec: "argon2id", Argon2id: Argon2id{MemoryKiB: 65536, Iterations: 1, Parallelism: 2}},
			PAR:     PAR{Lifetime: time.Minute},
		},
		Log:     Log{Level: "info", Format: "text"},
		Tracing: Tracing{SampleRatio: 1},
		Demo:    Demo{ClientID: "demo-rp"},
	}
}

func TestParseAppliesDefaults(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want func(c *Config) // edits wantDefaults() into the expected result
	}{
		{
			name: "only the issuer",
			yaml: minimalYAML,
			want: func(*Config) {},
		},
		{
			name: "a set value is kept and its siblings still get defaults",
			yaml: minimalYAML + "ldap:\n  timeout: 9s\n  users:\n    baseDN: ou=staff,dc=example,dc=org\n",
			want: func(c *Config) {
				c.LDAP.Timeout = 9 * time.Second
				c.LDAP.Users.BaseDN = "ou=staff,dc=example,dc=org"
			},
		},
		{
			name: "null values get defaults",
			yaml: minimalYAML + "listen:\nldap:\n  users:\n    claims: ~\n",
			want: func(*Config) {},
		},
		{
			name: "an explicit empty claim map stays empty",
			yaml: minimalYAML + "ldap:\n  users:\n    claims: {}\n",
			want: func(c *Config) { c.LDAP.Users.Claims = map[string]string{} },
		},
		{
			name: "a claim map replaces the default map as a whole",
			yaml: minimalYAML + "ldap:\n  users:\n    claims: {email: mail}\n",
			want: func(c *Config) { c.LDAP.Users.Claims = map[string]string{"email": "mail"} },
		},
		{
			name: "explicit empty lists stay empty",
			yaml: minimalYAML + "op:\n  authz:\n    responseJWEAlgs: []\n    responseJWEEncs: []\n",
			want: func(c *Config) {
				c.OP.Authz.ResponseJWEAlgs = []string{}
				c.OP.Authz.ResponseJWEEncs = []string{}
			},
		},
		{
			name: "an explicit zero means the default",
			yaml: minimalYAML + "ldap:\n  poolSize: 0\nop:\n  reg:\n    secretRolloverWindow: 0s\n",
			want: func(*Config) {},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.yaml), "x.yaml")
			if err != nil {
				t.Fatal(err)
			}
			want := wantDefaults()
			tc.want(&want)
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("config\n got: %+v\nwant: %+v", *got, want)
			}
		})
	}
}

func TestDefaultsAreFreshEachTime(t *testing.T) {
	a, err := Parse([]byte(minimalYAML), "a.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a.LDAP.Users.Claims["email"] = "changed"
	a.OP.Authz.ResponseModes[0] = "changed"

	b, err := Parse([]byte(minimalYAML), "b.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if b.LDAP.Users.Claims["email"] != "mail" || b.OP.Authz.ResponseModes[0] != "query" {
		t.Errorf("changing one config's defaults changed another's")
	}
}
