package conf

import (
	"reflect"
	"time"
)

// defaults returns every optional setting at its default. It builds a fresh
// value on each call so that no caller can alter another's defaults through a
// shared slice or map. The issuer has no default: it is the provider's public
// identity and must be chosen.
func defaults() Config {
	return Config{
		Listen: "127.0.0.1:8080",
		HTTP:   HTTP{RequestTimeout: 5 * time.Second, DrainPeriod: 5 * time.Second, ShutdownGrace: 20 * time.Second},
		TLS:    TLS{ClientAuth: "none"},
		Keys: Keys{File: "var/jwks.json", Store: KeysStoreFile,
			RefreshInterval: time.Minute, PrePublication: 10 * time.Minute},
		LDAP: LDAP{
			Embedded: Embedded{
				Seed:   "conf/dev-directory.ldif",
				Data:   "var/directory.ldif",
				Listen: "127.0.0.1:0",
			},
			BindDN:        "cn=admin,dc=example,dc=org",
			Timeout:       5 * time.Second,
			PoolSize:      8,
			ProbeInterval: time.Second, ProbeTimeout: time.Second, UpProbeInterval: 10 * time.Second,
			Clients:        Subtree{BaseDN: "ou=clients,dc=example,dc=org"},
			Authorizations: Subtree{BaseDN: "ou=authorizations,dc=example,dc=org"},
			Users: Users{
				Profile:          ProfileOpenLDAP,
				BaseDN:           "ou=people,dc=example,dc=org",
				Filter:           "(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username})))",
				SubjectAttribute: "entryUUID",
				Claims: map[string]string{
					"preferred_username": "uid",
					"name":               "cn",
					"given_name":         "givenName",
					"family_name":        "sn",
					"email":              "mail",
				},
				Groups: Groups{
					BaseDN:        "ou=groups,dc=example,dc=org",
					Filter:        "(member={dn})",
					NameAttribute: "cn",
					Claim:         "groups",
					MaxDepth:      8,
				},
				PasswordChange: "passwordModify",
			},
		},
		Sessions: Sessions{
			Store:        "memory",
			Redis:        Redis{KeyPrefix: "gatehouse:"},
			Lifetime:     8 * time.Hour,
			IdleTimeout:  30 * time.Minute,
			PendingFlows: PendingFlows{Max: 20_000, PerAddress: 256},
		},
		OP: OP{
			Authz: Authz{
				ResponseModes:    []string{"query", "fragment", "form_post", "query.jwt", "fragment.jwt", "form_post.jwt", "jwt"},
				ResponseJWSAlgs:  []string{"RS256", "PS256", "ES256", "HS256"},
				ResponseJWEAlgs:  []string{"RSA-OAEP-256", "ECDH-ES", "dir"},
				ResponseJWEEncs:  []string{"A128CBC-HS256", "A256GCM"},
				CodeLifetime:     60 * time.Second,
				ResponseLifetime: 10 * time.Minute,
			},
			Token: Token{
				AuthMethods:          []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"},
				AccessTokenLifetime:  10 * time.Minute,
				AccessTokenAlg:       "RS256",
				RefreshTokenLifetime: 720 * time.Hour,
			},
			Reg: Reg{SecretRolloverWindow: 30 * time.Minute},
			PAR: PAR{Lifetime: 60 * time.Second},
			DPoP: DPoP{Algs: []string{"ES256", "EdDSA", "RS256", "PS256"},
				MaxAge: time.Minute, ClockSkew: 5 * time.Second, NonceLifetime: 5 * time.Minute},
			Secrets: Secrets{
				Codec:    "argon2id",
				Argon2id: Argon2id{MemoryKiB: 64 * 1024, Iterations: 1, Parallelism: 2},
			},
			Logout: defaultLogout(),
			Device: Device{Lifetime: 10 * time.Minute, Interval: 5 * time.Second},
		},
		Log:     Log{Level: "info", Format: "text"},
		Tracing: Tracing{SampleRatio: 1},
		Demo:    Demo{ClientID: "demo-rp"},
	}
}

// applyDefaults gives every setting still at its zero value its default.
//
// Zero means "not set", so an explicit zero (0, "", false, 0s) also gets the
// default. Lists and maps are zero only when absent or null: an explicit []
// or {} stays empty, which is how a default list or claim map is switched off.
//
// ldap.users.profile picks which defaults the people's keys get.
func applyDefaults(c *Config) {
	d := defaults()
	if c.LDAP.Users.Profile == ProfileActiveDirectory {
		d.LDAP.Users = activeDirectoryUsers()
	}
	fillZero(reflect.ValueOf(c).Elem(), reflect.ValueOf(d))
}

// fillZero copies def into dst wherever dst is zero, descending into structs
// so that setting one field of a section keeps the defaults of the others.
func fillZero(dst, def reflect.Value) {
	if dst.Kind() == reflect.Struct {
		for i := range dst.NumField() {
			fillZero(dst.Field(i), def.Field(i))
		}
		return
	}
	if dst.IsZero() {
		dst.Set(def)
	}
}
