package conf

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// checkIssuer follows OpenID Connect Discovery 1.0 §3: the issuer is "a case
// sensitive URL using the https scheme that contains scheme, host, and
// optionally, port number and path components and no query or fragment
// components". Plain http is allowed on loopback for development only.
func checkIssuer(c *Config, r *report) {
	const path = "issuer"
	if !r.required(path, c.Issuer) {
		return
	}
	u, err := url.Parse(c.Issuer)
	if err != nil || !u.IsAbs() || u.Host == "" {
		r.add(path, "must be an absolute URL such as https://idp.example.com, not %q", c.Issuer)
		return
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopbackHost(u.Hostname())) {
		r.add(path, "must be an https URL (http is allowed only for loopback hosts)")
	}
	if u.User != nil {
		r.add(path, "must not contain user information")
	}
	if u.RawQuery != "" || u.ForceQuery {
		r.add(path, "must not have a query")
	}
	if u.Fragment != "" || strings.Contains(c.Issuer, "#") {
		r.add(path, "must not have a fragment")
	}
	// Clients build the discovery URL by appending
	// "/.well-known/openid-configuration" and compare the issuer byte for
	// byte, so a trailing slash breaks both.
	if strings.HasSuffix(u.Path, "/") {
		r.add(path, `must not end with "/"`)
	}
}

func checkListen(c *Config, r *report) {
	r.hostPort("listen", c.Listen)
}

// maxRequestTimeout keeps the request deadline below the server's own
// write timeout, so that the 503 it promises can still be written.
const maxRequestTimeout = 25 * time.Second

func checkHTTP(c *Config, r *report) {
	h := c.HTTP
	if r.positive("http.requestTimeout", h.RequestTimeout) && h.RequestTimeout > maxRequestTimeout {
		r.add("http.requestTimeout", "must be at most %s, not %s", maxRequestTimeout, h.RequestTimeout)
	}
	if h.DrainPeriod < 0 {
		r.add("http.drainPeriod", "must not be negative, not %s", h.DrainPeriod)
	}
	r.positive("http.shutdownGrace", h.ShutdownGrace)
}

func checkTLS(c *Config, r *report) {
	t := c.TLS
	switch {
	case t.Cert != "" && t.Key == "":
		r.add("tls.key", "is required when tls.cert is set")
	case t.Key != "" && t.Cert == "":
		r.add("tls.cert", "is required when tls.key is set")
	}
	if !r.oneOf("tls.clientAuth", t.ClientAuth, "none", "request", "require") || t.ClientAuth == "none" {
		return
	}
	// Client certificates are asked for in Gatehouse's own TLS handshake,
	// which needs a server certificate and a CA to check them against.
	if t.Cert == "" && t.Key == "" {
		r.add("tls.clientAuth", "%q needs tls.cert and tls.key", t.ClientAuth)
	}
	if t.ClientCA == "" {
		r.add("tls.clientCA", "is required when tls.clientAuth is %q", t.ClientAuth)
	}
}

func checkKeys(c *Config, r *report) {
	if c.Keys.Store != KeysStoreDirectory {
		r.required("keys.file", c.Keys.File)
	}
	checkKeysStore(c, r)
}

func checkSessions(c *Config, r *report) {
	s := c.Sessions
	inUse := r.oneOf("sessions.store", s.Store, "memory", "redis") && s.Store == "redis"
	checkRedis(s.Redis, inUse, r)
	if p := s.PendingFlows; p.Max < 1 || p.Max > 10_000_000 {
		r.add("sessions.pendingFlows.max", "must be between 1 and 10000000, not %d", p.Max)
	} else if p.PerAddress < 1 || p.PerAddress > p.Max {
		r.add("sessions.pendingFlows.perAddress", "must be between 1 and sessions.pendingFlows.max (%d), not %d", p.Max, p.PerAddress)
	}
	lifetime := r.positive("sessions.lifetime", s.Lifetime)
	idle := r.positive("sessions.idleTimeout", s.IdleTimeout)
	if lifetime && idle && s.IdleTimeout > s.Lifetime {
		r.add("sessions.idleTimeout", "must not exceed sessions.lifetime (%s), not %s", s.Lifetime, s.IdleTimeout)
	}
}

// checkRedis checks sessions.redis: where the servers are (one server or
// Cluster seed nodes, or Sentinel), and how to talk to them. The files
// named are opened only when the store is in use.
func checkRedis(rc Redis, inUse bool, r *report) {
	const p = "sessions.redis."
	sentinel := len(rc.Sentinel.Addrs) > 0
	switch {
	case len(rc.Addrs) > 0 && sentinel:
		r.add(p+"sentinel.addrs", "cannot be used together with sessions.redis.addrs (set only one)")
	case inUse && len(rc.Addrs) == 0 && !sentinel:
		r.add(p+"addrs", "needs at least one address when sessions.store is redis, or set sessions.redis.sentinel.addrs")
	}
	for i, addr := range rc.Addrs {
		r.hostPort(indexPath(p+"addrs", i), addr)
	}
	for i, addr := range rc.Sentinel.Addrs {
		r.hostPort(indexPath(p+"sentinel.addrs", i), addr)
	}
	switch {
	case sentinel && rc.Sentinel.MasterName == "":
		r.add(p+"sentinel.masterName", "is required with sessions.redis.sentinel.addrs")
	case !sentinel && rc.Sentinel.MasterName != "":
		r.add(p+"sentinel.addrs", "needs at least one sentinel when sessions.redis.sentinel.masterName is set")
	}
	if rc.Cluster && sentinel {
		r.add(p+"cluster", "cannot be used together with sessions.redis.sentinel (a Sentinel master is one server)")
	}
	switch {
	case rc.DB < 0:
		r.add(p+"db", "must not be negative, not %d", rc.DB)
	case rc.DB != 0 && (rc.Cluster || len(rc.Addrs) > 1):
		r.add(p+"db", "must be 0 with a Redis Cluster (cluster: true or several addrs), not %d", rc.DB)
	}
	if rc.PasswordFile != "" && rc.PasswordEnv != "" {
		r.add(p+"passwordFile", "cannot be used together with sessions.redis.passwordEnv (set only one)")
	}
	checkRedisPrefix(rc.KeyPrefix, r)
	checkRedisTLS(rc.TLS, inUse, r)
}

// maxRedisPrefix bounds sessions.redis.keyPrefix: it is in every key.
const maxRedisPrefix = 64

// checkRedisPrefix accepts printable ASCII without spaces, so that keys
// read well in redis-cli and SCAN patterns.
func checkRedisPrefix(prefix string, r *report) {
	const path = "sessions.redis.keyPrefix"
	if prefix == "" || len(prefix) > maxRedisPrefix {
		r.add(path, "must be 1 to %d bytes long, not %d", maxRedisPrefix, len(prefix))
		return
	}
	for _, b := range []byte(prefix) {
		if b <= ' ' || b > '~' {
			r.add(path, "must be printable ASCII without spaces, not %q", prefix)
			return
		}
	}
}

// checkRedisTLS: the files must be readable when the store is in use, and
// a certificate needs its key.
func checkRedisTLS(t RedisTLS, inUse bool, r *report) {
	const p = "sessions.redis.tls."
	files := []struct{ key, path string }{{"caFile", t.CAFile}, {"certFile", t.CertFile}, {"keyFile", t.KeyFile}}
	if !t.Enabled {
		for _, f := range files {
			if f.path != "" {
				r.add(p+f.key, "is set but sessions.redis.tls.enabled is false")
			}
		}
		return
	}
	switch {
	case t.CertFile != "" && t.KeyFile == "":
		r.add(p+"keyFile", "is required when sessions.redis.tls.certFile is set")
	case t.KeyFile != "" && t.CertFile == "":
		r.add(p+"certFile", "is required when sessions.redis.tls.keyFile is set")
	}
	if !inUse {
		return
	}
	for _, f := range files {
		if f.path == "" {
			continue
		}
		if err := readable(f.path); err != nil {
			r.add(p+f.key, "%v", err)
		}
	}
}

// readable opens path for reading, and says why it cannot, without
// repeating the operation.
func readable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err
		}
		return fmt.Errorf("cannot read %q: %v", path, err)
	}
	return f.Close()
}

func checkLog(c *Config, r *report) {
	r.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	r.oneOf("log.format", c.Log.Format, "text", "json")
}

// checkCertHeader: the header carries a client certificate from the TLS
// proxy, so its name must be a valid RFC 9110 §5.1 field name (a token). The
// name itself is not echoed: it is meant to be hard to guess.
func checkCertHeader(c *Config, r *report) {
	h := c.OP.TLS.ClientX509CertHeader
	if h != "" && !isToken(h) {
		r.add("op.tls.clientX509CertHeader", "is not a valid HTTP header name (allowed: letters, digits and !#$%%&'*+-.^_`|~)")
	}
	if base := c.OP.TLS.MTLSBaseURL; base != "" {
		if u, err := url.Parse(base); err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			r.add("op.tls.mtlsBaseURL", "must be an https URL without query or fragment")
		}
	}
}

// isToken reports whether s is an RFC 9110 §5.6.2 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, ch := range []byte(s) {
		isAlnum := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9'
		if !isAlnum && !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(ch)) {
			return false
		}
	}
	return true
}

// isLoopbackListen reports whether a host:port address stays on this machine.
func isLoopbackListen(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && isLoopbackHost(host)
}

// checkDemo: the demo relying party needs its client's secret.
func checkDemo(c *Config, r *report) {
	if !c.Demo.Enabled {
		return
	}
	r.required("demo.clientID", c.Demo.ClientID)
	r.required("demo.clientSecretFile", c.Demo.ClientSecretFile)
}

func checkTelemetry(c *Config, r *report) {
	if l := c.Metrics.Listen; l != "" {
		r.hostPort("metrics.listen", l)
	}
	if t := c.Tracing; t.SampleRatio < 0 || t.SampleRatio > 1 {
		r.add("tracing.sampleRatio", "must be between 0 and 1, not %g", t.SampleRatio)
	}
}
