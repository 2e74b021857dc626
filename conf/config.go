package conf

import "time"

// Config is the whole configuration file. It is read once at start and then
// handed, as values, to the constructors that need a part of it.
type Config struct {
	Issuer    string    `yaml:"issuer"`
	Listen    string    `yaml:"listen"`
	HTTP      HTTP      `yaml:"http"`
	TLS       TLS       `yaml:"tls"`
	Keys      Keys      `yaml:"keys"`
	LDAP      LDAP      `yaml:"ldap"`
	Sessions  Sessions  `yaml:"sessions"`
	OP        OP        `yaml:"op"`
	Templates Templates `yaml:"templates"`
	Log       Log       `yaml:"log"`
	Metrics   Metrics   `yaml:"metrics"`
	Audit     Audit     `yaml:"audit"`
	Tracing   Tracing   `yaml:"tracing"`
	Demo      Demo      `yaml:"demo"`
}

// Metrics configures /metrics (Prometheus).
type Metrics struct {
	// Listen, when set, serves /metrics on an address of its own instead
	// of the main listener.
	Listen string `yaml:"listen"`
	// ClientLabels labels token and sign-in counts with the client_id.
	// Off by default: the number of clients is not bounded.
	ClientLabels bool `yaml:"clientLabels"`
}

// Audit configures the audit log: one JSON line per security-relevant
// event.
type Audit struct {
	// Output is a file path, stdout, or "" for none.
	Output string `yaml:"output"`
}

// Tracing configures OpenTelemetry traces.
type Tracing struct {
	// Endpoint is the OTLP/HTTP collector (host:port or a URL); "" turns
	// tracing off.
	Endpoint string `yaml:"endpoint"`
	// Insecure sends to the collector over plain http.
	Insecure bool `yaml:"insecure"`
	// SampleRatio is the share of new traces recorded, 0 to 1; requests
	// that arrive with a sampled trace context are always recorded.
	SampleRatio float64 `yaml:"sampleRatio"`
}

// HTTP bounds how long requests take and how the server stops.
type HTTP struct {
	// RequestTimeout is the one deadline of a request from its arrival:
	// waiting for a directory connection and every directory or session
	// store call fall under it. Past it the answer is 503
	// temporarily_unavailable (or the "try again later" page), never a
	// dropped connection.
	RequestTimeout time.Duration `yaml:"requestTimeout"`
	// DrainPeriod is how long, after SIGTERM, the server goes on accepting
	// and answering (with Connection: close, and /health/ready at 503) so
	// that a load balancer can take it out of rotation.
	DrainPeriod time.Duration `yaml:"drainPeriod"`
	// ShutdownGrace bounds how long requests still in flight after the
	// drain may take to finish.
	ShutdownGrace time.Duration `yaml:"shutdownGrace"`
}

// Demo configures the demo relying party at /demo: a development aid that
// signs in with the code flow and shows the ID token. Off by default.
type Demo struct {
	Enabled  bool   `yaml:"enabled"`
	ClientID string `yaml:"clientID"`
	// ClientSecretFile holds the demo client's secret.
	ClientSecretFile string `yaml:"clientSecretFile"`

	// ClientSecret is resolved by Load from ClientSecretFile.
	ClientSecret string `yaml:"-"`
}

// TLS configures optional native TLS termination by Gatehouse itself.
type TLS struct {
	Cert     string `yaml:"cert"`
	Key      string `yaml:"key"`
	ClientCA string `yaml:"clientCA"`
	// ClientAuth is none, request or require.
	ClientAuth string `yaml:"clientAuth"`
}

// Keys says where the JWK set lives.
type Keys struct {
	File string `yaml:"file"`
	// Store is where the set lives: "file" (File, one per host, shared
	// by configuration management) or "directory" (one sealed entry that
	// every instance reads). docs/keys.md.
	Store     string        `yaml:"store"`
	Directory KeysDirectory `yaml:"directory"`
	// RefreshInterval is how often every instance reads the set again.
	RefreshInterval time.Duration `yaml:"refreshInterval"`
	// PrePublication is how long `gatehouse keys rotate` publishes new
	// keys before they sign; at least RefreshInterval.
	PrePublication time.Duration `yaml:"prePublication"`
}

// KeysDirectory locates the key set in the directory and the key that
// encrypts it there.
type KeysDirectory struct {
	// DN of the entry; empty means cn=gatehouse-keys under the parent of
	// ldap.clients.baseDN.
	DN string `yaml:"dn"`
	// KEKFile or KEKEnv hold the key-encryption key: 32 bytes, base64.
	KEKFile string `yaml:"kekFile"`
	KEKEnv  string `yaml:"kekEnv"`

	// KEK is resolved by Load from KEKFile or KEKEnv.
	KEK string `yaml:"-"`
}

// LDAP configures the directory that holds users, clients and authorizations.
type LDAP struct {
	// URLs lists the servers, tried in order. Empty selects the embedded directory.
	URLs     []string `yaml:"urls"`
	Embedded Embedded `yaml:"embedded"`
	BindDN   string   `yaml:"bindDN"`
	// BindPasswordFile names a file holding the bind password; one trailing
	// line break is ignored. A relative path is relative to the working
	// directory. Set this or BindPasswordEnv, not both.
	BindPasswordFile string `yaml:"bindPasswordFile"`
	// BindPasswordEnv names an environment variable holding the bind password.
	BindPasswordEnv string        `yaml:"bindPasswordEnv"`
	StartTLS        bool          `yaml:"startTLS"`
	CAFile          string        `yaml:"caFile"`
	Timeout         time.Duration `yaml:"timeout"`
	PoolSize        int           `yaml:"poolSize"`
	// ProbeInterval is how often a server that is down is probed; it is
	// used again as soon as a probe answers.
	ProbeInterval time.Duration `yaml:"probeInterval"`
	// ProbeTimeout bounds one probe; an operation outstanding this long
	// gets its server probed at once, which is how a hung server is found.
	// It is cut to ldap.timeout when longer.
	ProbeTimeout time.Duration `yaml:"probeTimeout"`
	// UpProbeInterval is how often a healthy server is probed, so that a
	// hang is noticed without traffic.
	UpProbeInterval time.Duration `yaml:"upProbeInterval"`
	Clients         Subtree       `yaml:"clients"`
	Authorizations  Subtree       `yaml:"authorizations"`
	// Authenticators is where second factors are kept; empty turns
	// strong sign-in off.
	Authenticators Subtree `yaml:"authenticators"`
	Users          Users   `yaml:"users"`

	// BindPassword is resolved by Load from BindPasswordFile or BindPasswordEnv.
	// It has no YAML key of its own: secrets never sit in the file.
	BindPassword string `yaml:"-"`
}

// Embedded configures the in-process directory used when LDAP.URLs is empty.
type Embedded struct {
	// Seed is an LDIF file loaded when Data does not exist yet.
	Seed string `yaml:"seed"`
	// Data is where the directory persists its entries after every change.
	Data string `yaml:"data"`
	// Listen is the loopback address the embedded directory serves LDAP on.
	Listen string `yaml:"listen"`
}

// Subtree names the base of a part of the directory.
type Subtree struct {
	BaseDN string `yaml:"baseDN"`
}

// Users says how people are found and what of their entry becomes claims.
type Users struct {
	// Profile picks the defaults of the keys below for a kind of
	// directory: openldap or activedirectory. Any key set wins.
	Profile string `yaml:"profile"`
	// URLs, when set, put people in a directory of their own (Active
	// Directory, say) while clients and authorizations stay in ldap.urls;
	// the keys below then say how to reach it. Unset, people are read
	// through the store's connection.
	URLs     []string `yaml:"urls"`
	BindDN   string   `yaml:"bindDN"`
	StartTLS bool     `yaml:"startTLS"`
	CAFile   string   `yaml:"caFile"`
	// BindPasswordFile or BindPasswordEnv hold the users' directory
	// service account's password.
	BindPasswordFile string `yaml:"bindPasswordFile"`
	BindPasswordEnv  string `yaml:"bindPasswordEnv"`
	BaseDN           string `yaml:"baseDN"`
	// Filter finds a user; {username} is replaced by the escaped login name.
	Filter           string            `yaml:"filter"`
	SubjectAttribute string            `yaml:"subjectAttribute"`
	Claims           map[string]string `yaml:"claims"`
	Groups           Groups            `yaml:"groups"`
	// SubjectEncoding is "" (the attribute's text) or guid (16 raw bytes,
	// Active Directory's objectGUID, rendered in its canonical form).
	SubjectEncoding string `yaml:"subjectEncoding"`
	// PasswordChange is how people change an expired or reset password
	// while signing in: passwordModify (RFC 3062, the openldap profile's
	// default), unicodePwd (Active Directory, over TLS; the activedirectory
	// profile's default) or none (not offered: the person is told to
	// change it elsewhere).
	PasswordChange string `yaml:"passwordChange"`
	// PPolicyDefaultDN names OpenLDAP's ppolicy default policy (the
	// overlay's olcPPolicyDefault), which a service account cannot read
	// from cn=config: its pwdLockoutDuration tells a passkey sign-in when
	// a lock by failures has ended. Empty: such locks count until cleared.
	PPolicyDefaultDN string `yaml:"ppolicyDefaultDN"`

	// BindPassword is resolved by Load from BindPasswordFile or
	// BindPasswordEnv.
	BindPassword string `yaml:"-"`
}

// Groups says how a user's groups are found.
type Groups struct {
	BaseDN string `yaml:"baseDN"`
	// Filter finds the groups of a user; {dn} is replaced by the escaped user DN.
	Filter        string `yaml:"filter"`
	NameAttribute string `yaml:"nameAttribute"`
	Claim         string `yaml:"claim"`
	// Nested is "" (the filter's matches only, which Active Directory's
	// transitive matching rule makes complete) or walk (search again for
	// the groups holding the groups found, up to MaxDepth levels).
	Nested   string `yaml:"nested"`
	MaxDepth int    `yaml:"maxDepth"`
}

// Sessions configures where browser sessions live and for how long.
type Sessions struct {
	// Store is memory or redis.
	Store       string        `yaml:"store"`
	Redis       Redis         `yaml:"redis"`
	Lifetime    time.Duration `yaml:"lifetime"`
	IdleTimeout time.Duration `yaml:"idleTimeout"`
	// PendingFlows bounds the sign-ins started that no one has signed in
	// to yet, so that a flood of them cannot fill the store.
	PendingFlows PendingFlows `yaml:"pendingFlows"`
}

// PendingFlows bounds anonymous pending flows: past a bound the oldest is
// dropped to make room, never the new one refused.
type PendingFlows struct {
	// Max bounds them in total.
	Max int `yaml:"max"`
	// PerAddress bounds them per client address (IPv6 per /64).
	PerAddress int `yaml:"perAddress"`
}

// Redis configures the Redis session store: one server, a Redis Cluster
// (Addrs are its seed nodes) or a master found through Sentinel.
type Redis struct {
	// Addrs are one server, or Cluster seed nodes; several addresses are
	// a Cluster even without Cluster set. Exclusive with Sentinel.Addrs.
	Addrs []string `yaml:"addrs"`
	// Cluster says that Addrs are Cluster seed nodes, even just one.
	Cluster  bool          `yaml:"cluster"`
	Sentinel RedisSentinel `yaml:"sentinel"`
	// Username is an ACL user (Redis 6+); empty is the default user.
	Username string `yaml:"username"`
	// PasswordEnv names an environment variable holding the Redis
	// password; PasswordFile names a file holding it. At most one.
	PasswordEnv  string `yaml:"passwordEnv"`
	PasswordFile string `yaml:"passwordFile"`
	// DB must be 0 with a Cluster.
	DB  int      `yaml:"db"`
	TLS RedisTLS `yaml:"tls"`
	// KeyPrefix begins every key, so that deployments can share a Redis.
	KeyPrefix string `yaml:"keyPrefix"`

	// Password is resolved by Load from PasswordEnv or PasswordFile.
	Password string `yaml:"-"`
}

// RedisSentinel finds the Redis master through Sentinel.
type RedisSentinel struct {
	MasterName string   `yaml:"masterName"`
	Addrs      []string `yaml:"addrs"`
	// PasswordEnv names an environment variable holding the sentinels'
	// own password (their requirepass), if they have one.
	PasswordEnv string `yaml:"passwordEnv"`

	// Password is resolved by Load from PasswordEnv.
	Password string `yaml:"-"`
}

// RedisTLS turns on TLS to Redis. Without CAFile the system's roots are
// trusted; CertFile and KeyFile are a client certificate, for servers
// with tls-auth-clients; ServerName overrides the name checked.
type RedisTLS struct {
	Enabled    bool   `yaml:"enabled"`
	CAFile     string `yaml:"caFile"`
	CertFile   string `yaml:"certFile"`
	KeyFile    string `yaml:"keyFile"`
	ServerName string `yaml:"serverName"`
}

// OP holds the protocol settings; names mirror Connect2id's op.* properties.
type OP struct {
	Authz   Authz   `yaml:"authz"`
	Token   Token   `yaml:"token"`
	TLS     OPTLS   `yaml:"tls"`
	Reg     Reg     `yaml:"reg"`
	Secrets Secrets `yaml:"secrets"`
	PAR     PAR     `yaml:"par"`
	Authn   Authn   `yaml:"authn"`
	Logout  Logout  `yaml:"logout"`
	Device  Device  `yaml:"device"`
	DPoP    DPoP    `yaml:"dpop"`
	// Profile holds every client to a security profile: "" (none),
	// fapi2-security or fapi2-message-signing (docs/fapi.md).
	Profile string `yaml:"profile"`
	// JWTBearer: docs/token-exchange.md (conf/jwtbearer.go).
	JWTBearer JWTBearer `yaml:"jwtBearer"`
}

// PAR configures pushed authorization requests (RFC 9126) at /par.
type PAR struct {
	// Lifetime of a request_uri: 5 s to 10 min (FAPI 2.0 asks for at most 600 s).
	Lifetime time.Duration `yaml:"lifetime"`
	// Require refuses authorization requests that were not pushed, for
	// every client; discovery then says require_pushed_authorization_requests.
	Require bool `yaml:"require"`
}

// Authz configures the authorization endpoint.
type Authz struct {
	ResponseModes   []string      `yaml:"responseModes"`
	ResponseJWSAlgs []string      `yaml:"responseJWSAlgs"`
	ResponseJWEAlgs []string      `yaml:"responseJWEAlgs"`
	ResponseJWEEncs []string      `yaml:"responseJWEEncs"`
	CodeLifetime    time.Duration `yaml:"codeLifetime"`
	// ResponseLifetime is how long a JWT-secured authorization response
	// (JARM) is valid: short, at most 10 minutes.
	ResponseLifetime time.Duration `yaml:"responseLifetime"`
}

// Token configures the token endpoint.
type Token struct {
	AuthMethods         []string      `yaml:"authMethods"`
	AccessTokenLifetime time.Duration `yaml:"accessTokenLifetime"`
	// AccessTokenAlg signs access tokens: RS256 (default), PS256, ES256
	// or EdDSA. ES256 and EdDSA sign many times faster than RSA.
	AccessTokenAlg       string        `yaml:"accessTokenAlg"`
	RefreshTokenLifetime time.Duration `yaml:"refreshTokenLifetime"`
}

// OPTLS configures where client certificates come from when a proxy terminates TLS.
type OPTLS struct {
	ClientX509CertHeader string `yaml:"clientX509CertHeader"`
	// MTLSBaseURL, when set, is the base URL of a separate host that
	// asks for client certificates (RFC 8705 §5): discovery then lists the
	// token, introspection, revocation and UserInfo endpoints there as
	// mtls_endpoint_aliases.
	MTLSBaseURL string `yaml:"mtlsBaseURL"`
}

// Reg configures client registration.
type Reg struct {
	// MasterTokenSHA256 is the hex SHA-256 of the registration master token.
	MasterTokenSHA256     string        `yaml:"masterTokenSHA256"`
	AllowOpenRegistration bool          `yaml:"allowOpenRegistration"`
	SecretRolloverWindow  time.Duration `yaml:"secretRolloverWindow"`

	// AllowOpenPrivateAddresses lets clients registered openly name
	// internal hosts and lifts the connection guard on them: a lab only
	// (docs/ssrf.md).
	AllowOpenPrivateAddresses bool `yaml:"allowOpenPrivateAddresses"`
}

// Secrets configures how client secrets are stored.
type Secrets struct {
	// Codec is the default codec for new hashed secrets: argon2id.
	Codec    string   `yaml:"codec"`
	Argon2id Argon2id `yaml:"argon2id"`
}

// Argon2id holds the Argon2id cost parameters.
type Argon2id struct {
	MemoryKiB   uint32 `yaml:"memoryKiB"`
	Iterations  uint32 `yaml:"iterations"`
	Parallelism uint8  `yaml:"parallelism"`
}

// Templates configures the HTML pages.
type Templates struct {
	// Dir overrides the embedded templates when set.
	Dir string `yaml:"dir"`
}

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is text or json.
	Format string `yaml:"format"`
}
