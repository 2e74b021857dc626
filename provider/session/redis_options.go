package session

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// maxRedisPrefix bounds the key prefix: it is repeated in every key.
const maxRedisPrefix = 64

// RedisOptions say how to reach Redis the way operators run it: one
// server, a Redis Cluster, or a master watched by Sentinel; with TLS, an
// ACL user, and a key prefix of the deployment's own.
type RedisOptions struct {
	// Addrs are one server, or the seed nodes of a Cluster. Several
	// addresses are a Cluster even without Cluster set.
	Addrs []string
	// Cluster says that Addrs are Cluster seed nodes, even just one.
	Cluster bool
	// SentinelMaster and SentinelAddrs find the master through Sentinel,
	// in place of Addrs; SentinelPassword is the sentinels' own, if any.
	SentinelMaster   string
	SentinelAddrs    []string
	SentinelPassword string
	// Username is an ACL user (Redis 6+); empty is the default user.
	// An empty Password sends none.
	Username, Password string
	// DB is the database of a single server or a Sentinel master; a
	// Cluster has only 0.
	DB int
	// TLS, when Enabled, speaks TLS to every server (not to the
	// sentinels' plain port unless they serve TLS too: go-redis uses one
	// configuration for both).
	TLS RedisTLS
	// KeyPrefix begins every key; empty is DefaultRedisPrefix.
	KeyPrefix string
}

// RedisTLS are the PEM files of a TLS connection to Redis. Without CAFile
// the system's roots are trusted; CertFile and KeyFile, together, are the
// client certificate for servers that ask for one (tls-auth-clients);
// ServerName overrides the host name checked in the server certificate.
type RedisTLS struct {
	Enabled                               bool
	CAFile, CertFile, KeyFile, ServerName string
}

// check reports the first thing wrong with o, naming the option.
func (o RedisOptions) check() error {
	if err := checkRedisAddrs(o); err != nil {
		return err
	}
	switch {
	case o.DB < 0:
		return fmt.Errorf("session: Redis database %d is negative", o.DB)
	case o.cluster() && o.DB != 0:
		return fmt.Errorf("session: Redis database %d with a Cluster: a cluster has only database 0", o.DB)
	case (o.TLS.CertFile == "") != (o.TLS.KeyFile == ""):
		return errors.New("session: Redis TLS needs both a certificate and a key file, or neither")
	}
	return checkRedisPrefix(o.prefix())
}

func checkRedisAddrs(o RedisOptions) error {
	switch {
	case len(o.Addrs) > 0 && len(o.SentinelAddrs) > 0:
		return errors.New("session: Redis addresses and Sentinel addresses are exclusive")
	case len(o.SentinelAddrs) > 0 && o.SentinelMaster == "":
		return errors.New("session: Sentinel addresses without a master name")
	case len(o.SentinelAddrs) > 0 && o.Cluster:
		return errors.New("session: Sentinel and Cluster are exclusive")
	case len(o.Addrs) == 0 && len(o.SentinelAddrs) == 0:
		return errors.New("session: no Redis address")
	}
	for _, a := range append(append([]string(nil), o.Addrs...), o.SentinelAddrs...) {
		if strings.TrimSpace(a) == "" {
			return errors.New("session: empty Redis address")
		}
	}
	return nil
}

// checkRedisPrefix accepts a key prefix of 1 to maxRedisPrefix printable
// ASCII characters without spaces, so that keys stay readable in
// redis-cli and SCAN patterns. A prefix with a hash tag ({…}) puts every
// key in one Cluster slot: legal, but then one node holds everything.
func checkRedisPrefix(p string) error {
	if p == "" || len(p) > maxRedisPrefix {
		return fmt.Errorf("session: Redis key prefix must be 1 to %d bytes, not %d", maxRedisPrefix, len(p))
	}
	for _, r := range p {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) || r == ' ' {
			return fmt.Errorf("session: Redis key prefix %q holds %q: only printable ASCII without spaces", p, r)
		}
	}
	return nil
}

func (o RedisOptions) cluster() bool { return o.Cluster || len(o.Addrs) > 1 }

func (o RedisOptions) prefix() string {
	if o.KeyPrefix == "" {
		return DefaultRedisPrefix
	}
	return o.KeyPrefix
}

// where names the servers in errors: the addresses, or the master's name
// and its sentinels.
func (o RedisOptions) where() string {
	if len(o.SentinelAddrs) > 0 {
		return fmt.Sprintf("master %q via sentinels %s", o.SentinelMaster, strings.Join(o.SentinelAddrs, ", "))
	}
	return strings.Join(o.Addrs, ", ")
}

// universal is the go-redis configuration of o, with the timeouts of
// redis.go; NewUniversalClient picks a failover, cluster or plain client.
func (o RedisOptions) universal(tlsConfig *tls.Config) *redis.UniversalOptions {
	addrs := o.Addrs
	if len(o.SentinelAddrs) > 0 {
		addrs = o.SentinelAddrs
	}
	return &redis.UniversalOptions{
		Addrs:            addrs,
		IsClusterMode:    o.Cluster,
		MasterName:       o.SentinelMaster,
		SentinelPassword: o.SentinelPassword,
		Username:         o.Username,
		Password:         o.Password,
		DB:               o.DB,
		TLSConfig:        tlsConfig,
		DialTimeout:      redisDialTimeout,
		ReadTimeout:      redisIOTimeout,
		WriteTimeout:     redisIOTimeout,
		PoolTimeout:      redisPoolTimeout,
		// Honour the caller's context deadline as well as the timeouts.
		ContextTimeoutEnabled: true,
		// Maintenance notifications are a Redis Enterprise feature; asking
		// other servers for them only costs a round trip on every dial.
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
		// CLIENT SETINFO on every dial is another round trip, refused by
		// servers before 7.2, which would show in traces and metrics as
		// a failed command each time.
		DisableIdentity: true,
	}
}

// tlsConfig loads the files of t; nil when TLS is off. Errors name the
// file, never its contents.
func (t RedisTLS) tlsConfig() (*tls.Config, error) {
	if !t.Enabled {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("session: Redis TLS CA: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("session: Redis TLS CA: %s holds no PEM certificate", t.CAFile)
		}
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("session: Redis TLS client certificate %s: %w", t.CertFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// DialRedisOptions connects to Redis as o says and checks that the server
// (the master, for Sentinel) answers. A mistake in o or an unreadable TLS
// file is an error that is not storage.ErrUnavailable; a server that does
// not answer a PING within 5 s is storage.ErrUnavailable, and the client
// is closed.
//
// The client times out dialling after 2 s, reading or writing after 1 s,
// and waiting for a free connection after 2 s. Every command is traced as
// a span redis.<command> (see internal/tracing); the server's address is
// recorded for a single server only. Only single-key commands are sent,
// in pipelines at most, so a Cluster needs no hash tags: see
// redis_pending.go.
func DialRedisOptions(o RedisOptions) (*Redis, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	tlsConfig, err := o.TLS.tlsConfig()
	if err != nil {
		return nil, err
	}
	client := redis.NewUniversalClient(o.universal(tlsConfig))
	ctx, cancel := context.WithTimeout(context.Background(), redisPingDeadline)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close() // the ping's error is the one worth reporting
		return nil, &unavailableError{msg: "session store (redis) at " + o.where() + " unavailable", cause: err}
	}
	var traced []string
	if !o.cluster() && len(o.SentinelAddrs) == 0 {
		traced = o.Addrs
	}
	// After the ping, which belongs to no request.
	client.AddHook(newTraceHook(traced))
	return NewRedis(client, o.prefix()), nil
}
