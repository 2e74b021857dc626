package conf

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// validConfig is the minimal configuration with defaults applied; each case
// below changes it and states exactly which problems must follow.
func validConfig(t *testing.T) *Config {
	t.Helper()
	cfg, err := Parse([]byte(minimalYAML), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// external switches to an external directory with a bind password file.
func external(c *Config, urls ...string) {
	c.LDAP.URLs = urls
	c.LDAP.BindPasswordFile = "/run/secrets/ldap"
}

// nativeTLS turns on Gatehouse's own TLS with the given client authentication.
func nativeTLS(c *Config, clientAuth string) {
	c.TLS = TLS{Cert: "cert.pem", Key: "key.pem", ClientCA: "ca.pem", ClientAuth: clientAuth}
}

type validationCase struct {
	name   string
	change func(c *Config)
	want   []string // every expected problem, as "path: message"; nil when valid
}

func runValidationCases(t *testing.T, tests []validationCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := validConfig(t)
			tc.change(cfg)
			err := cfg.Validate()
			var got []string
			if err != nil {
				var validationErr *ValidationError
				if !errors.As(err, &validationErr) {
					t.Fatalf("Validate error = %v (%T), want a *ValidationError", err, err)
				}
				for _, p := range validationErr.Problems {
					got = append(got, p.String())
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems\n got: %q\nwant: %q", got, tc.want)
			}
		})
	}
}

func TestValidateIssuer(t *testing.T) {
	const httpsOnly = "issuer: must be an https URL (http is allowed only for loopback hosts)"
	set := func(issuer string) func(*Config) { return func(c *Config) { c.Issuer = issuer } }
	runValidationCases(t, []validationCase{
		{name: "https host", change: set("https://idp.example.com")},
		{name: "https host and path", change: set("https://idp.example.com/tenant")},
		{name: "https with port", change: set("https://idp.example.com:8443")},
		{name: "http on 127.0.0.1", change: set("http://127.0.0.1:8080")},
		{name: "http elsewhere in 127/8", change: set("http://127.3.2.1")},
		{name: "http on ::1", change: set("http://[::1]:8080")},
		{name: "http on localhost", change: set("http://localhost:8080")},
		{name: "missing", change: set(""), want: []string{"issuer: is required"}},
		{name: "not absolute", change: set("idp.example.com"), want: []string{`issuer: must be an absolute URL such as https://idp.example.com, not "idp.example.com"`}},
		{name: "no host", change: set("https:///tenant"), want: []string{`issuer: must be an absolute URL such as https://idp.example.com, not "https:///tenant"`}},
		{name: "http on a public host", change: set("http://idp.example.com"), want: []string{httpsOnly}},
		{name: "http on a private address", change: set("http://10.0.0.1"), want: []string{httpsOnly}},
		{name: "other scheme", change: set("ftp://idp.example.com"), want: []string{httpsOnly}},
		{name: "query", change: set("https://idp.example.com?tenant=a"), want: []string{"issuer: must not have a query"}},
		{name: "empty query", change: set("https://idp.example.com/x?"), want: []string{"issuer: must not have a query"}},
		{name: "fragment", change: set("https://idp.example.com/x#top"), want: []string{"issuer: must not have a fragment"}},
		{name: "empty fragment", change: set("https://idp.example.com/x#"), want: []string{"issuer: must not have a fragment"}},
		{name: "trailing slash only", change: set("https://idp.example.com/"), want: []string{`issuer: must not end with "/"`}},
		{name: "trailing slash after path", change: set("https://idp.example.com/tenant/"), want: []string{`issuer: must not end with "/"`}},
		{name: "user information", change: set("https://me@idp.example.com"), want: []string{"issuer: must not contain user information"}},
		{name: "every issuer problem at once", change: set("http://idp.example.com/?a#b"), want: []string{
			httpsOnly,
			"issuer: must not have a query",
			"issuer: must not have a fragment",
			`issuer: must not end with "/"`,
		}},
	})
}

func TestValidateListenAndTLS(t *testing.T) {
	runValidationCases(t, []validationCase{
		{name: "all interfaces", change: func(c *Config) { c.Listen = ":8080" }},
		{name: "IPv6", change: func(c *Config) { c.Listen = "[::1]:8080" }},
		{name: "listen missing", change: func(c *Config) { c.Listen = "" }, want: []string{"listen: is required"}},
		{name: "listen without port", change: func(c *Config) { c.Listen = "8080" }, want: []string{`listen: must be host:port, e.g. 127.0.0.1:8080, not "8080"`}},
		{name: "listen with named port", change: func(c *Config) { c.Listen = "127.0.0.1:http" }, want: []string{`listen: port "http" is not a number from 0 to 65535`}},
		{name: "listen port too large", change: func(c *Config) { c.Listen = "127.0.0.1:70000" }, want: []string{`listen: port "70000" is not a number from 0 to 65535`}},
		{name: "native TLS without client certificates", change: func(c *Config) { c.TLS = TLS{Cert: "c.pem", Key: "k.pem", ClientAuth: "none"} }},
		{name: "native TLS requiring client certificates", change: func(c *Config) { nativeTLS(c, "require") }},
		{name: "native TLS requesting client certificates", change: func(c *Config) { nativeTLS(c, "request") }},
		{name: "cert without key", change: func(c *Config) { c.TLS.Cert = "c.pem" }, want: []string{"tls.key: is required when tls.cert is set"}},
		{name: "key without cert", change: func(c *Config) { c.TLS.Key = "k.pem" }, want: []string{"tls.cert: is required when tls.key is set"}},
		{name: "unknown clientAuth", change: func(c *Config) { c.TLS.ClientAuth = "maybe" }, want: []string{`tls.clientAuth: must be one of none, request or require, not "maybe"`}},
		{name: "clientAuth without TLS", change: func(c *Config) { c.TLS.ClientAuth = "require" }, want: []string{
			`tls.clientAuth: "require" needs tls.cert and tls.key`,
			`tls.clientCA: is required when tls.clientAuth is "require"`,
		}},
		{name: "clientAuth without CA", change: func(c *Config) { nativeTLS(c, "request"); c.TLS.ClientCA = "" }, want: []string{
			`tls.clientCA: is required when tls.clientAuth is "request"`,
		}},
		{name: "keys file missing", change: func(c *Config) { c.Keys.File = "" }, want: []string{"keys.file: is required"}},
	})
}

func TestValidateLDAPServers(t *testing.T) {
	runValidationCases(t, []validationCase{
		{name: "embedded directory", change: func(*Config) {}},
		{name: "external servers", change: func(c *Config) { external(c, "ldaps://ldap1.example.com", "ldap://ldap2.example.com:389") }},
		{name: "external with StartTLS", change: func(c *Config) { external(c, "ldap://ldap.example.com"); c.LDAP.StartTLS = true }},
		{name: "external with the password in the environment", change: func(c *Config) {
			external(c, "ldaps://ldap.example.com")
			c.LDAP.BindPasswordFile, c.LDAP.BindPasswordEnv = "", "LDAP_PASSWORD"
		}},
		{name: "external ignores the embedded settings", change: func(c *Config) {
			external(c, "ldaps://ldap.example.com")
			c.LDAP.Embedded = Embedded{Listen: "0.0.0.0:389"}
		}},
		{name: "wrong scheme", change: func(c *Config) { external(c, "https://ldap.example.com") }, want: []string{
			`ldap.urls[0]: scheme must be ldap or ldaps, not "https"`,
		}},
		{name: "host and port without scheme", change: func(c *Config) { external(c, "ldaps://ok.example.com", "ldap.example.com:389") }, want: []string{
			`ldap.urls[1]: scheme must be ldap or ldaps, not "ldap.example.com"`,
		}},
		{name: "no host", change: func(c *Config) { external(c, "ldap://") }, want: []string{
			"ldap.urls[0]: needs a host, e.g. ldaps://ldap.example.com",
		}},
		{name: "unparsable", change: func(c *Config) { external(c, "ldap://ldap.example.com:port") }, want: []string{
			"ldap.urls[0]: is not a valid URL such as ldaps://ldap.example.com",
		}},
		{name: "password in the URL is refused and not repeated", change: func(c *Config) { external(c, "ldaps://admin:s3cret@ldap.example.com") }, want: []string{
			"ldap.urls[0]: must not contain user information (use ldap.bindDN with ldap.bindPasswordFile or ldap.bindPasswordEnv)",
		}},
		{name: "ldaps with StartTLS", change: func(c *Config) { external(c, "ldaps://ldap.example.com"); c.LDAP.StartTLS = true }, want: []string{
			"ldap.urls[0]: ldaps cannot be combined with ldap.startTLS (the connection is already encrypted)",
		}},
		{name: "listed twice", change: func(c *Config) { external(c, "ldaps://a.example.com", "ldaps://a.example.com") }, want: []string{
			`ldap.urls[1]: "ldaps://a.example.com" is listed twice`,
		}},
		{name: "no bind password source", change: func(c *Config) { external(c, "ldaps://ldap.example.com"); c.LDAP.BindPasswordFile = "" }, want: []string{
			"ldap.bindPasswordFile: ldap.bindPasswordFile or ldap.bindPasswordEnv is required when ldap.urls is set",
		}},
		{name: "both bind password sources", change: func(c *Config) { external(c, "ldaps://ldap.example.com"); c.LDAP.BindPasswordEnv = "LDAP_PASSWORD" }, want: []string{
			"ldap.bindPasswordFile: cannot be used together with ldap.bindPasswordEnv (set only one)",
		}},
		{name: "both bind password sources with the embedded directory", change: func(c *Config) {
			c.LDAP.BindPasswordFile, c.LDAP.BindPasswordEnv = "/run/secrets/ldap", "LDAP_PASSWORD"
		}, want: []string{
			"ldap.bindPasswordFile: cannot be used together with ldap.bindPasswordEnv (set only one)",
		}},
		{name: "bind DN missing", change: func(c *Config) { external(c, "ldaps://ldap.example.com"); c.LDAP.BindDN = "" }, want: []string{
			"ldap.bindDN: is required",
		}},
		{name: "bind DN invalid", change: func(c *Config) { external(c, "ldaps://ldap.example.com"); c.LDAP.BindDN = "admin" }, want: []string{
			"ldap.bindDN: is not a valid DN: DN ended with incomplete type, value pair",
		}},
		{name: "embedded on localhost", change: func(c *Config) { c.LDAP.Embedded.Listen = "localhost:3389" }},
		{name: "embedded seed missing", change: func(c *Config) { c.LDAP.Embedded.Seed = "" }, want: []string{"ldap.embedded.seed: is required"}},
		{name: "embedded data missing", change: func(c *Config) { c.LDAP.Embedded.Data = "" }, want: []string{"ldap.embedded.data: is required"}},
		{name: "embedded on all interfaces", change: func(c *Config) { c.LDAP.Embedded.Listen = "0.0.0.0:3389" }, want: []string{
			`ldap.embedded.listen: must be a loopback address such as 127.0.0.1:3389, not "0.0.0.0:3389"`,
		}},
		{name: "embedded listen malformed", change: func(c *Config) { c.LDAP.Embedded.Listen = "3389" }, want: []string{
			`ldap.embedded.listen: must be host:port, e.g. 127.0.0.1:8080, not "3389"`,
		}},
	})
}

func TestValidateLDAPDirectoryLayout(t *testing.T) {
	runValidationCases(t, []validationCase{
		{name: "smallest pool", change: func(c *Config) { c.LDAP.PoolSize = 1 }},
		{name: "largest pool", change: func(c *Config) { c.LDAP.PoolSize = 1024 }},
		{name: "empty pool", change: func(c *Config) { c.LDAP.PoolSize = 0 }, want: []string{"ldap.poolSize: must be between 1 and 1024, not 0"}},
		{name: "pool too large", change: func(c *Config) { c.LDAP.PoolSize = 1025 }, want: []string{"ldap.poolSize: must be between 1 and 1024, not 1025"}},
		{name: "negative timeout", change: func(c *Config) { c.LDAP.Timeout = -time.Second }, want: []string{"ldap.timeout: must be positive, not -1s"}},
		{name: "zero timeout", change: func(c *Config) { c.LDAP.Timeout = 0 }, want: []string{"ldap.timeout: must be positive, not 0s"}},
		{name: "DN with escapes and spaces", change: func(c *Config) { c.LDAP.Users.BaseDN = `ou=Sales\, EMEA, dc=example, dc=org` }},
		{name: "clients base DN invalid", change: func(c *Config) { c.LDAP.Clients.BaseDN = "ou=clients,,dc=example" }, want: []string{
			"ldap.clients.baseDN: is not a valid DN: incomplete type, value pair",
		}},
		{name: "authorizations base DN missing", change: func(c *Config) { c.LDAP.Authorizations.BaseDN = " " }, want: []string{
			"ldap.authorizations.baseDN: is required",
		}},
		{name: "users base DN invalid", change: func(c *Config) { c.LDAP.Users.BaseDN = "people" }, want: []string{
			"ldap.users.baseDN: is not a valid DN: DN ended with incomplete type, value pair",
		}},
		{name: "groups base DN invalid", change: func(c *Config) { c.LDAP.Users.Groups.BaseDN = "ou=groups,dc" }, want: []string{
			"ldap.users.groups.baseDN: is not a valid DN: DN ended with incomplete type, value pair",
		}},
		{name: "custom user filter", change: func(c *Config) { c.LDAP.Users.Filter = "(sAMAccountName={username})" }},
		{name: "user filter without placeholder", change: func(c *Config) { c.LDAP.Users.Filter = "(uid=alice)" }, want: []string{
			"ldap.users.filter: must contain the {username} placeholder",
		}},
		{name: "user filter that does not compile", change: func(c *Config) { c.LDAP.Users.Filter = "(uid={username}" }, want: []string{
			"ldap.users.filter: is not a valid LDAP filter: unexpected end of filter",
		}},
		{name: "user filter without parentheses", change: func(c *Config) { c.LDAP.Users.Filter = "uid={username}" }, want: []string{
			"ldap.users.filter: is not a valid LDAP filter: filter does not start with an '('",
		}},
		{name: "user filter missing", change: func(c *Config) { c.LDAP.Users.Filter = "" }, want: []string{"ldap.users.filter: is required"}},
		{name: "subject attribute missing", change: func(c *Config) { c.LDAP.Users.SubjectAttribute = "" }, want: []string{
			"ldap.users.subjectAttribute: is required",
		}},
		{name: "group filter without placeholder", change: func(c *Config) { c.LDAP.Users.Groups.Filter = "(objectClass=groupOfNames)" }, want: []string{
			"ldap.users.groups.filter: must contain the {dn} placeholder",
		}},
		{name: "group filter that does not compile", change: func(c *Config) { c.LDAP.Users.Groups.Filter = "(member={dn}))" }, want: []string{
			"ldap.users.groups.filter: is not a valid LDAP filter: finished compiling filter with extra at end: )",
		}},
		{name: "group name attribute missing", change: func(c *Config) { c.LDAP.Users.Groups.NameAttribute = "" }, want: []string{
			"ldap.users.groups.nameAttribute: is required",
		}},
		{name: "group claim missing", change: func(c *Config) { c.LDAP.Users.Groups.Claim = "" }, want: []string{
			"ldap.users.groups.claim: is required",
		}},
		{name: "group claim also mapped", change: func(c *Config) { c.LDAP.Users.Groups.Claim = "email" }, want: []string{
			`ldap.users.groups.claim: "email" is also mapped in ldap.users.claims`,
		}},
		{name: "group claim is a protocol claim", change: func(c *Config) { c.LDAP.Users.Groups.Claim = "aud" }, want: []string{
			`ldap.users.groups.claim: "aud" is set by Gatehouse itself and cannot come from the directory`,
		}},
		{name: "no claims", change: func(c *Config) { c.LDAP.Users.Claims = map[string]string{} }},
		{name: "claims problems in key order", change: func(c *Config) {
			c.LDAP.Users.Claims = map[string]string{"sub": "uid", "email": "", "": "cn", "nickname": "displayName"}
		}, want: []string{
			"ldap.users.claims: claim names must not be empty",
			"ldap.users.claims.email: needs an LDAP attribute name",
			`ldap.users.claims.sub: "sub" is set by Gatehouse itself and cannot come from the directory`,
		}},
	})
}

func TestValidateSessions(t *testing.T) {
	runValidationCases(t, []validationCase{
		{name: "redis", change: func(c *Config) {
			c.Sessions.Store = "redis"
			c.Sessions.Redis.Addrs = []string{"redis1.example.com:6379", "[::1]:6379"}
		}},
		{name: "idle timeout equal to lifetime", change: func(c *Config) { c.Sessions.IdleTimeout = c.Sessions.Lifetime }},
		{name: "unknown store", change: func(c *Config) { c.Sessions.Store = "disk" }, want: []string{
			`sessions.store: must be one of memory or redis, not "disk"`,
		}},
		{name: "redis without addresses", change: func(c *Config) { c.Sessions.Store = "redis" }, want: []string{
			"sessions.redis.addrs: needs at least one address when sessions.store is redis, or set sessions.redis.sentinel.addrs",
		}},
		{name: "redis address without port", change: func(c *Config) {
			c.Sessions.Store = "redis"
			c.Sessions.Redis.Addrs = []string{"redis.example.com:6379", "redis.example.com"}
		}, want: []string{
			`sessions.redis.addrs[1]: must be host:port, e.g. 127.0.0.1:8080, not "redis.example.com"`,
		}},
		{name: "negative redis db", change: func(c *Config) { c.Sessions.Redis.DB = -1 }, want: []string{
			"sessions.redis.db: must not be negative, not -1",
		}},
		{name: "zero lifetime", change: func(c *Config) { c.Sessions.Lifetime = 0 }, want: []string{
			"sessions.lifetime: must be positive, not 0s",
		}},
		{name: "negative idle timeout", change: func(c *Config) { c.Sessions.IdleTimeout = -time.Minute }, want: []string{
			"sessions.idleTimeout: must be positive, not -1m0s",
		}},
		{name: "idle timeout above lifetime", change: func(c *Config) {
			c.Sessions.Lifetime, c.Sessions.IdleTimeout = time.Hour, 2*time.Hour
		}, want: []string{
			"sessions.idleTimeout: must not exceed sessions.lifetime (1h0m0s), not 2h0m0s",
		}},
	})
}

// redisStore switches sessions to Redis and lets edit change its settings.
func redisStore(edit func(r *Redis)) func(*Config) {
	return func(c *Config) {
		c.Sessions.Store = "redis"
		c.Sessions.Redis.Addrs = []string{"127.0.0.1:6379"}
		edit(&c.Sessions.Redis)
	}
}

// sentinel replaces the addresses with sentinels.
func sentinel(r *Redis) {
	r.Addrs = nil
	r.Sentinel = RedisSentinel{MasterName: "gatehouse", Addrs: []string{"10.0.0.1:26379", "10.0.0.2:26379"}}
}

func TestValidateRedis(t *testing.T) {
	dir := t.TempDir()
	pem := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(pem, []byte("not checked here"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	runValidationCases(t, []validationCase{
		{name: "sentinel", change: redisStore(sentinel)},
		{name: "sentinel with its own password", change: redisStore(func(r *Redis) { sentinel(r); r.Sentinel.PasswordEnv = "SENTINEL_PW" })},
		{name: "cluster of one seed", change: redisStore(func(r *Redis) { r.Cluster = true })},
		{name: "ACL user and password file", change: redisStore(func(r *Redis) { r.Username = "gatehouse"; r.PasswordFile = "/run/secrets/redis" })},
		{name: "database of a single server", change: redisStore(func(r *Redis) { r.DB = 3 })},
		{name: "TLS with readable files", change: redisStore(func(r *Redis) {
			r.TLS = RedisTLS{Enabled: true, CAFile: pem, CertFile: pem, KeyFile: pem, ServerName: "redis.internal"}
		})},
		{name: "TLS with the system roots", change: redisStore(func(r *Redis) { r.TLS.Enabled = true })},
		{name: "prefix of 64 bytes", change: redisStore(func(r *Redis) { r.KeyPrefix = strings.Repeat("p", 64) })},
		{name: "prefix with a hash tag", change: redisStore(func(r *Redis) { r.KeyPrefix = "{tenant-a}:" })},
		{name: "TLS files unused by the memory store", change: func(c *Config) {
			c.Sessions.Redis.TLS = RedisTLS{Enabled: true, CAFile: missing}
		}},
		{name: "addresses and sentinels", change: redisStore(func(r *Redis) {
			addrs := r.Addrs
			sentinel(r)
			r.Addrs = addrs
		}), want: []string{
			"sessions.redis.sentinel.addrs: cannot be used together with sessions.redis.addrs (set only one)",
		}},
		{name: "sentinel without master name", change: redisStore(func(r *Redis) { sentinel(r); r.Sentinel.MasterName = "" }), want: []string{
			"sessions.redis.sentinel.masterName: is required with sessions.redis.sentinel.addrs",
		}},
		{name: "master name without sentinels", change: redisStore(func(r *Redis) { r.Sentinel.MasterName = "gatehouse" }), want: []string{
			"sessions.redis.sentinel.addrs: needs at least one sentinel when sessions.redis.sentinel.masterName is set",
		}},
		{name: "sentinel address without port", change: redisStore(func(r *Redis) { sentinel(r); r.Sentinel.Addrs[1] = "10.0.0.2" }), want: []string{
			`sessions.redis.sentinel.addrs[1]: must be host:port, e.g. 127.0.0.1:8080, not "10.0.0.2"`,
		}},
		{name: "cluster and sentinel", change: redisStore(func(r *Redis) { sentinel(r); r.Cluster = true }), want: []string{
			"sessions.redis.cluster: cannot be used together with sessions.redis.sentinel (a Sentinel master is one server)",
		}},
		{name: "cluster with a database", change: redisStore(func(r *Redis) { r.Cluster = true; r.DB = 1 }), want: []string{
			"sessions.redis.db: must be 0 with a Redis Cluster (cluster: true or several addrs), not 1",
		}},
		{name: "several addresses with a database", change: redisStore(func(r *Redis) { r.Addrs = append(r.Addrs, "127.0.0.2:6379"); r.DB = 2 }), want: []string{
			"sessions.redis.db: must be 0 with a Redis Cluster (cluster: true or several addrs), not 2",
		}},
		{name: "password file and variable", change: redisStore(func(r *Redis) { r.PasswordFile = "/run/secrets/redis"; r.PasswordEnv = "REDIS_PW" }), want: []string{
			"sessions.redis.passwordFile: cannot be used together with sessions.redis.passwordEnv (set only one)",
		}},
		{name: "empty prefix", change: redisStore(func(r *Redis) { r.KeyPrefix = "" }), want: []string{
			"sessions.redis.keyPrefix: must be 1 to 64 bytes long, not 0",
		}},
		{name: "prefix too long", change: redisStore(func(r *Redis) { r.KeyPrefix = strings.Repeat("p", 65) }), want: []string{
			"sessions.redis.keyPrefix: must be 1 to 64 bytes long, not 65",
		}},
		{name: "prefix with a space", change: redisStore(func(r *Redis) { r.KeyPrefix = "my app:" }), want: []string{
			`sessions.redis.keyPrefix: must be printable ASCII without spaces, not "my app:"`,
		}},
		{name: "prefix with a control character", change: redisStore(func(r *Redis) { r.KeyPrefix = "a\x00" }), want: []string{
			`sessions.redis.keyPrefix: must be printable ASCII without spaces, not "a\x00"`,
		}},
		{name: "prefix not ASCII", change: redisStore(func(r *Redis) { r.KeyPrefix = "müller:" }), want: []string{
			`sessions.redis.keyPrefix: must be printable ASCII without spaces, not "müller:"`,
		}},
		{name: "unreadable TLS file", change: redisStore(func(r *Redis) { r.TLS = RedisTLS{Enabled: true, CAFile: missing} }), want: []string{
			`sessions.redis.tls.caFile: cannot read "` + missing + `": no such file or directory`,
		}},
		{name: "certificate without key", change: redisStore(func(r *Redis) { r.TLS = RedisTLS{Enabled: true, CertFile: pem} }), want: []string{
			"sessions.redis.tls.keyFile: is required when sessions.redis.tls.certFile is set",
		}},
		{name: "key without certificate", change: redisStore(func(r *Redis) { r.TLS = RedisTLS{Enabled: true, KeyFile: pem} }), want: []string{
			"sessions.redis.tls.certFile: is required when sessions.redis.tls.keyFile is set",
		}},
		{name: "TLS files without TLS", change: redisStore(func(r *Redis) { r.TLS = RedisTLS{CAFile: pem} }), want: []string{
			"sessions.redis.tls.caFile: is set but sessions.redis.tls.enabled is false",
		}},
	})
}

func TestValidateAuthorizationEndpoint(t *testing.T) {
	authz := func(edit func(a *Authz)) func(*Config) { return func(c *Config) { edit(&c.OP.Authz) } }
	runValidationCases(t, []validationCase{
		{name: "everything supported", change: authz(func(a *Authz) {
			a.ResponseModes = supportedResponseModes()
			a.ResponseJWSAlgs = supportedJWSAlgs()
			a.ResponseJWEAlgs = supportedJWEAlgs()
			a.ResponseJWEEncs = supportedJWEEncs()
		})},
		{name: "EdDSA responses (FAPI 2.0 allows it)", change: authz(func(a *Authz) { a.ResponseJWSAlgs = []string{"PS256", "EdDSA"} })},
		{name: "no JARM and no JARM algorithms", change: authz(func(a *Authz) {
			a.ResponseModes = []string{"query", "form_post"}
			a.ResponseJWSAlgs, a.ResponseJWEAlgs, a.ResponseJWEEncs = []string{}, []string{}, []string{}
		})},
		{name: "no response modes", change: authz(func(a *Authz) { a.ResponseModes = []string{} }), want: []string{
			"op.authz.responseModes: needs at least one response mode",
		}},
		{name: "unknown response mode", change: authz(func(a *Authz) { a.ResponseModes = []string{"query", "post"} }), want: []string{
			`op.authz.responseModes[1]: unsupported response mode "post"`,
		}},
		{name: "response mode twice", change: authz(func(a *Authz) { a.ResponseModes = []string{"query", "jwt", "query"} }), want: []string{
			`op.authz.responseModes[2]: "query" is listed twice`,
		}},
		{name: "unsigned JWS algorithm", change: authz(func(a *Authz) { a.ResponseJWSAlgs = []string{"RS256", "PS256", "none"} }), want: []string{
			`op.authz.responseJWSAlgs[2]: unsupported algorithm "none"`,
		}},
		{name: "JWS algorithm twice", change: authz(func(a *Authz) { a.ResponseJWSAlgs = []string{"ES256", "ES256"} }), want: []string{
			`op.authz.responseJWSAlgs[1]: "ES256" is listed twice`,
		}},
		{name: "unknown JWE algorithm", change: authz(func(a *Authz) { a.ResponseJWEAlgs = []string{"A128KW"} }), want: []string{
			`op.authz.responseJWEAlgs[0]: unsupported algorithm "A128KW"`,
		}},
		{name: "unknown JWE encryption", change: authz(func(a *Authz) { a.ResponseJWEEncs = []string{"A256GCM", "A128CTR"} }), want: []string{
			`op.authz.responseJWEEncs[1]: unsupported encryption method "A128CTR"`,
		}},
		{name: "JARM without signing algorithms", change: authz(func(a *Authz) { a.ResponseJWSAlgs = []string{} }), want: []string{
			"op.authz.responseJWSAlgs: needs at least one algorithm while a JWT response mode is enabled",
		}},
		{name: "JWE algorithms without encryption methods", change: authz(func(a *Authz) { a.ResponseJWEEncs = []string{} }), want: []string{
			"op.authz.responseJWEEncs: needs at least one encryption method while op.authz.responseJWEAlgs is set",
		}},
		{name: "JWE encryption methods without algorithms", change: authz(func(a *Authz) { a.ResponseJWEAlgs = []string{} }), want: []string{
			"op.authz.responseJWEAlgs: needs at least one algorithm while op.authz.responseJWEEncs is set",
		}},
		{name: "code lifetime of ten minutes", change: authz(func(a *Authz) { a.CodeLifetime = 10 * time.Minute })},
		{name: "code lifetime above ten minutes", change: authz(func(a *Authz) { a.CodeLifetime = 11 * time.Minute }), want: []string{
			"op.authz.codeLifetime: must not exceed 10m0s, not 11m0s",
		}},
		{name: "negative code lifetime", change: authz(func(a *Authz) { a.CodeLifetime = -time.Second }), want: []string{
			"op.authz.codeLifetime: must be positive, not -1s",
		}},
	})
}

func TestValidateTokenEndpoint(t *testing.T) {
	methods := func(m ...string) func(*Config) { return func(c *Config) { c.OP.Token.AuthMethods = m } }
	withHeader := func(m ...string) func(*Config) {
		return func(c *Config) { methods(m...)(c); c.OP.TLS.ClientX509CertHeader = "X-Client-Cert" }
	}
	withNative := func(clientAuth string, m ...string) func(*Config) {
		return func(c *Config) { methods(m...)(c); nativeTLS(c, clientAuth) }
	}
	runValidationCases(t, []validationCase{
		{name: "tls_client_auth behind a proxy", change: withHeader("tls_client_auth", "private_key_jwt")},
		{name: "self_signed_tls_client_auth behind a proxy", change: withHeader("self_signed_tls_client_auth")},
		{name: "both certificate methods with native TLS", change: withNative("request", "tls_client_auth", "self_signed_tls_client_auth")},
		{name: "tls_client_auth with required native client certificates", change: withNative("require", "tls_client_auth")},
		{name: "both certificate methods behind a proxy", change: withHeader("tls_client_auth", "self_signed_tls_client_auth"), want: []string{
			"op.token.authMethods: tls_client_auth and self_signed_tls_client_auth cannot both be enabled while certificates come from op.tls.clientX509CertHeader",
		}},
		{name: "both certificate methods with native TLS and a header", change: func(c *Config) {
			withNative("request", "tls_client_auth", "self_signed_tls_client_auth")(c)
			c.OP.TLS.ClientX509CertHeader = "X-Client-Cert"
		}, want: []string{
			"op.token.authMethods: tls_client_auth and self_signed_tls_client_auth cannot both be enabled while certificates come from op.tls.clientX509CertHeader",
		}},
		{name: "tls_client_auth without a certificate source", change: methods("tls_client_auth"), want: []string{
			"op.token.authMethods: tls_client_auth needs client certificates: set op.tls.clientX509CertHeader (behind a TLS proxy) or tls.clientAuth",
		}},
		{name: "both certificate methods without a certificate source", change: methods("self_signed_tls_client_auth", "tls_client_auth"), want: []string{
			"op.token.authMethods: tls_client_auth and self_signed_tls_client_auth need client certificates: set op.tls.clientX509CertHeader (behind a TLS proxy) or tls.clientAuth",
		}},
		{name: "no methods", change: methods(), want: []string{
			"op.token.authMethods: needs at least one client authentication method",
		}},
		{name: "unknown method", change: methods("client_secret_basic", "client_secret"), want: []string{
			`op.token.authMethods[1]: unsupported client authentication method "client_secret"`,
		}},
		{name: "method twice", change: methods("none", "none"), want: []string{
			`op.token.authMethods[1]: "none" is listed twice`,
		}},
		{name: "mTLS alias host", change: func(c *Config) { c.OP.TLS.MTLSBaseURL = "https://mtls.idp.example.com" }},
		{name: "mTLS alias host over http", change: func(c *Config) { c.OP.TLS.MTLSBaseURL = "http://mtls.idp.example.com" }, want: []string{
			"op.tls.mtlsBaseURL: must be an https URL without query or fragment",
		}},
		{name: "zero token lifetimes", change: func(c *Config) { c.OP.Token.AccessTokenLifetime, c.OP.Token.RefreshTokenLifetime = 0, -time.Hour }, want: []string{
			"op.token.accessTokenLifetime: must be positive, not 0s",
			"op.token.refreshTokenLifetime: must be positive, not -1h0m0s",
		}},
	})
}

func TestValidateCertificateHeader(t *testing.T) {
	const invalid = "op.tls.clientX509CertHeader: is not a valid HTTP header name (allowed: letters, digits and !#$%&'*+-.^_`|~)"
	set := func(h string) func(*Config) { return func(c *Config) { c.OP.TLS.ClientX509CertHeader = h } }
	runValidationCases(t, []validationCase{
		{name: "ordinary name", change: set("X-Client-Cert")},
		{name: "all token characters", change: set("X!#$%&'*+-.^_`|~09az")},
		{name: "space", change: set("X Client Cert"), want: []string{invalid}},
		{name: "colon", change: set("X-Client-Cert:"), want: []string{invalid}},
		{name: "non-ASCII", change: set("X-Zertifikat-ü"), want: []string{invalid}},
	})
}

func TestValidateRegistrationAndSecrets(t *testing.T) {
	const badHash = "op.reg.masterTokenSHA256: must be 64 hexadecimal characters (the SHA-256 of the master token)"
	runValidationCases(t, []validationCase{
		{name: "master token hash", change: func(c *Config) { c.OP.Reg.MasterTokenSHA256 = strings.Repeat("ab", 32) }},
		{name: "upper-case master token hash", change: func(c *Config) { c.OP.Reg.MasterTokenSHA256 = strings.Repeat("AB", 32) }},
		{name: "short master token hash", change: func(c *Config) { c.OP.Reg.MasterTokenSHA256 = strings.Repeat("a", 63) }, want: []string{badHash}},
		{name: "master token instead of its hash", change: func(c *Config) { c.OP.Reg.MasterTokenSHA256 = strings.Repeat("g", 64) }, want: []string{badHash}},
		{name: "negative rollover window", change: func(c *Config) { c.OP.Reg.SecretRolloverWindow = -time.Minute }, want: []string{
			"op.reg.secretRolloverWindow: must not be negative, not -1m0s",
		}},
		{name: "other codec", change: func(c *Config) { c.OP.Secrets.Codec = "bcrypt" }, want: []string{
			`op.secrets.codec: must be argon2id, not "bcrypt"`,
		}},
		{name: "smallest Argon2id memory", change: func(c *Config) { c.OP.Secrets.Argon2id.MemoryKiB = 1024 }},
		{name: "Argon2id memory too small", change: func(c *Config) { c.OP.Secrets.Argon2id.MemoryKiB = 512 }, want: []string{
			"op.secrets.argon2id.memoryKiB: must be at least 1024, not 512",
		}},
		{name: "Argon2id memory below 8 KiB per lane", change: func(c *Config) {
			c.OP.Secrets.Argon2id.MemoryKiB, c.OP.Secrets.Argon2id.Parallelism = 1024, 200
		}, want: []string{
			"op.secrets.argon2id.parallelism: must be from 1 to 64, not 200",
			"op.secrets.argon2id.memoryKiB: must be at least 8 × parallelism (1600), not 1024",
		}},
		{name: "Argon2id without passes or lanes", change: func(c *Config) {
			c.OP.Secrets.Argon2id.Iterations, c.OP.Secrets.Argon2id.Parallelism = 0, 0
		}, want: []string{
			"op.secrets.argon2id.parallelism: must be from 1 to 64, not 0",
			"op.secrets.argon2id.iterations: must be from 1 to 100, not 0",
		}},
		{name: "Argon2id costs above the ceilings", change: func(c *Config) {
			c.OP.Secrets.Argon2id.Iterations, c.OP.Secrets.Argon2id.MemoryKiB = 101, 2<<20
		}, want: []string{
			"op.secrets.argon2id.iterations: must be from 1 to 100, not 101",
			"op.secrets.argon2id.memoryKiB: must be at most 1048576 (1 GiB), not 2097152",
		}},
		{name: "Argon2id memory times passes too large", change: func(c *Config) {
			c.OP.Secrets.Argon2id.Iterations, c.OP.Secrets.Argon2id.MemoryKiB = 8, 1<<20
		}, want: []string{
			"op.secrets.argon2id.memoryKiB: times iterations must be at most 4 GiB",
		}},
	})
}

func TestValidateLog(t *testing.T) {
	runValidationCases(t, []validationCase{
		{name: "debug as json", change: func(c *Config) { c.Log = Log{Level: "debug", Format: "json"} }},
		{name: "warn", change: func(c *Config) { c.Log.Level = "warn" }},
		{name: "error", change: func(c *Config) { c.Log.Level = "error" }},
		{name: "unknown level", change: func(c *Config) { c.Log.Level = "verbose" }, want: []string{
			`log.level: must be one of debug, info, warn or error, not "verbose"`,
		}},
		{name: "unknown format", change: func(c *Config) { c.Log.Format = "xml" }, want: []string{
			`log.format: must be one of text or json, not "xml"`,
		}},
	})
}

func TestParseReportsEveryProblemAtOnce(t *testing.T) {
	src := `issuer: http://idp.example.com
ldap:
  poolSize: 2000
  users:
    filter: (uid=alice)
op:
  authz:
    responseJWSAlgs: [RS256, PS256, none]
log:
  format: xml
`
	_, err := Parse([]byte(src), "conf/x.yaml")
	var validationErr *ValidationError
	if !errors.As(err, &validationErr) {
		t.Fatalf("Parse error = %v (%T), want a *ValidationError", err, err)
	}
	want := "conf/x.yaml: " +
		"issuer: must be an https URL (http is allowed only for loopback hosts); " +
		"ldap.poolSize: must be between 1 and 1024, not 2000; " +
		"ldap.users.filter: must contain the {username} placeholder; " +
		`op.authz.responseJWSAlgs[2]: unsupported algorithm "none"; ` +
		`log.format: must be one of text or json, not "xml"`
	if got := err.Error(); got != want {
		t.Errorf("Parse error\n got: %s\nwant: %s", got, want)
	}
	if validationErr.File != "conf/x.yaml" || len(validationErr.Problems) != 5 {
		t.Errorf("ValidationError = %+v, want file conf/x.yaml and 5 problems", validationErr)
	}
	if first := validationErr.Problems[0]; first.Path != "issuer" {
		t.Errorf("first problem path = %q, want issuer", first.Path)
	}
}

func TestValidateWithoutFileHasNoPrefix(t *testing.T) {
	cfg := validConfig(t)
	cfg.Log.Level = "loud"
	err := cfg.Validate()
	if want := `log.level: must be one of debug, info, warn or error, not "loud"`; err == nil || err.Error() != want {
		t.Errorf("Validate error = %v, want %s", err, want)
	}
}

func TestValidateHTTP(t *testing.T) {
	runValidationCases(t, []validationCase{
		{name: "longest request deadline", change: func(c *Config) { c.HTTP.RequestTimeout = 25 * time.Second }},
		{name: "request deadline past the write timeout", change: func(c *Config) { c.HTTP.RequestTimeout = 26 * time.Second },
			want: []string{"http.requestTimeout: must be at most 25s, not 26s"}},
		{name: "negative request deadline", change: func(c *Config) { c.HTTP.RequestTimeout = -time.Second },
			want: []string{"http.requestTimeout: must be positive, not -1s"}},
		{name: "negative drain", change: func(c *Config) { c.HTTP.DrainPeriod = -time.Second },
			want: []string{"http.drainPeriod: must not be negative, not -1s"}},
		{name: "zero grace", change: func(c *Config) { c.HTTP.ShutdownGrace = 0 },
			want: []string{"http.shutdownGrace: must be positive, not 0s"}},
	})
}

func TestValidateAccessTokenAlg(t *testing.T) {
	runValidationCases(t, []validationCase{
		{name: "ES256", change: func(c *Config) { c.OP.Token.AccessTokenAlg = "ES256" }},
		{name: "EdDSA", change: func(c *Config) { c.OP.Token.AccessTokenAlg = "EdDSA" }},
		{name: "HS256 refused", change: func(c *Config) { c.OP.Token.AccessTokenAlg = "HS256" },
			want: []string{`op.token.accessTokenAlg: must be one of RS256, PS256, ES256 or EdDSA, not "HS256"`}},
	})
}

func TestValidatePendingFlows(t *testing.T) {
	runValidationCases(t, []validationCase{
		{name: "one per address", change: func(c *Config) { c.Sessions.PendingFlows = PendingFlows{Max: 10, PerAddress: 1} }},
		{name: "negative total", change: func(c *Config) { c.Sessions.PendingFlows.Max = -1 },
			want: []string{"sessions.pendingFlows.max: must be between 1 and 10000000, not -1"}},
		{name: "per address above the total", change: func(c *Config) { c.Sessions.PendingFlows = PendingFlows{Max: 10, PerAddress: 11} },
			want: []string{"sessions.pendingFlows.perAddress: must be between 1 and sessions.pendingFlows.max (10), not 11"}},
	})
}

func TestValidateProbes(t *testing.T) {
	runValidationCases(t, []validationCase{
		{name: "probe as long as an operation", change: func(c *Config) { c.LDAP.ProbeTimeout = c.LDAP.Timeout }},
		{name: "probe longer than an operation (cut by the pool)", change: func(c *Config) { c.LDAP.Timeout, c.LDAP.ProbeTimeout = time.Second, 2*time.Second }},
		{name: "negative probe interval", change: func(c *Config) { c.LDAP.ProbeInterval = -time.Second },
			want: []string{"ldap.probeInterval: must be positive, not -1s"}},
	})
}

func TestValidateUsersDirectory(t *testing.T) {
	ad := func(c *Config) {
		c.LDAP.Users.URLs = []string{"ldaps://dc.example.test"}
		c.LDAP.Users.BindDN = "CN=gatehouse,DC=example,DC=test"
		c.LDAP.Users.BindPasswordEnv = "PATH"
	}
	runValidationCases(t, []validationCase{
		{name: "a users' directory of its own", change: ad},
		{name: "unknown profile", change: func(c *Config) { c.LDAP.Users.Profile = "novell" },
			want: []string{`ldap.users.profile: must be one of openldap or activedirectory, not "novell"`}},
		{name: "users' directory without a password", change: func(c *Config) { ad(c); c.LDAP.Users.BindPasswordEnv = "" },
			want: []string{"ldap.users.bindPasswordFile: ldap.users.bindPasswordFile or ldap.users.bindPasswordEnv is required when ldap.users.urls is set"}},
		{name: "connection settings without URLs", change: func(c *Config) { c.LDAP.Users.CAFile = "/etc/ad-ca.pem" },
			want: []string{"ldap.users.urls: is required when the users' directory has connection settings of its own (bindDN, bindPassword…, caFile, startTLS)"}},
		{name: "unicodePwd over ldaps", change: func(c *Config) { ad(c); c.LDAP.Users.PasswordChange = "unicodePwd" }},
		{name: "unicodePwd in the clear", change: func(c *Config) {
			ad(c)
			c.LDAP.Users.URLs, c.LDAP.Users.PasswordChange = []string{"ldap://dc.example.test"}, "unicodePwd"
		}, want: []string{"ldap.users.passwordChange: unicodePwd needs ldaps:// or startTLS: ldap://dc.example.test is neither"}},
		{name: "unicodePwd with StartTLS", change: func(c *Config) {
			ad(c)
			c.LDAP.Users.URLs, c.LDAP.Users.StartTLS, c.LDAP.Users.PasswordChange = []string{"ldap://dc.example.test"}, true, "unicodePwd"
		}},
		{name: "unknown subject encoding", change: func(c *Config) { c.LDAP.Users.SubjectEncoding = "base64" },
			want: []string{`ldap.users.subjectEncoding: must be guid, not "base64"`}},
		{name: "walk too deep", change: func(c *Config) { c.LDAP.Users.Groups.Nested, c.LDAP.Users.Groups.MaxDepth = "walk", 65 },
			want: []string{"ldap.users.groups.maxDepth: must be between 1 and 64, not 65"}},
	})
}

func TestActiveDirectoryProfileDefaults(t *testing.T) {
	_, err := Parse([]byte("issuer: http://127.0.0.1:8080\nldap:\n  urls: [\"ldaps://ldap.example.com\"]\n  bindPasswordEnv: PATH\n  users: {profile: activedirectory, filter: \"(sAMAccountName={username})\"}\n"), "t.yaml")
	if err == nil {
		t.Fatal("no base DNs accepted under the activedirectory profile")
	}
	for _, want := range []string{"ldap.users.baseDN: is required", "ldap.users.groups.baseDN: is required"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	cfg, err := Parse([]byte("issuer: http://127.0.0.1:8080\nldap:\n  urls: [\"ldaps://ldap.example.com\"]\n  bindPasswordEnv: PATH\n  users:\n    profile: activedirectory\n    filter: \"(sAMAccountName={username})\"\n    baseDN: \"DC=example,DC=test\"\n    groups: {baseDN: \"DC=example,DC=test\"}\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	u := cfg.LDAP.Users
	if u.Filter != "(sAMAccountName={username})" || u.SubjectAttribute != "objectGUID" || u.SubjectEncoding != "guid" ||
		u.Claims["preferred_username"] != "sAMAccountName" || u.PasswordChange != "unicodePwd" {
		t.Errorf("the set key should win and the rest come from the profile: %+v", u)
	}
}

// TestParseRedisKeys: the YAML names of sessions.redis, strictly.
func TestParseRedisKeys(t *testing.T) {
	t.Setenv("GH_TEST_REDIS_PW", "data-pw")
	src := minimalYAML + `sessions:
  store: redis
  redis:
    addrs: []
    cluster: false
    sentinel: {masterName: gatehouse, addrs: ["10.0.0.1:26379"], passwordEnv: ""}
    username: gatehouse
    passwordEnv: GH_TEST_REDIS_PW
    passwordFile: ""
    db: 2
    tls: {enabled: true, caFile: "", certFile: "", keyFile: "", serverName: redis.internal}
    keyPrefix: "idp-a:"
`
	cfg, err := Parse([]byte(src), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := Redis{
		Addrs:    []string{},
		Sentinel: RedisSentinel{MasterName: "gatehouse", Addrs: []string{"10.0.0.1:26379"}},
		Username: "gatehouse", PasswordEnv: "GH_TEST_REDIS_PW", Password: "data-pw", DB: 2,
		TLS:       RedisTLS{Enabled: true, ServerName: "redis.internal"},
		KeyPrefix: "idp-a:",
	}
	if got := cfg.Sessions.Redis; !reflect.DeepEqual(got, want) {
		t.Errorf("sessions.redis =\n%+v\nwant\n%+v", got, want)
	}
	if _, err := Parse([]byte(minimalYAML+"sessions: {redis: {sentinel: {master: x}}}\n"), "x.yaml"); err == nil ||
		!strings.Contains(err.Error(), `unknown key "sessions.redis.sentinel.master"`) {
		t.Errorf("unknown sentinel key: %v", err)
	}
}
