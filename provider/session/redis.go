package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// DefaultRedisPrefix is the key prefix DialRedis uses, so that Gatehouse's
// entries are told apart from other data in a shared Redis.
const DefaultRedisPrefix = "gatehouse:"

// Timeouts of the clients DialRedis makes. Every entry is a few hundred
// bytes read or written by key, so a server that takes longer than this
// is in trouble, and the request is better answered with
// temporarily_unavailable than left hanging.
const (
	redisDialTimeout  = 2 * time.Second
	redisIOTimeout    = time.Second
	redisPoolTimeout  = 2 * time.Second
	redisPingDeadline = 5 * time.Second
)

// Redis is a KV in Redis (6.2 or later), shared by every instance of the
// provider that uses the same server and prefix.
//
// Each entry is one string key, the prefix followed by the KV key, written
// with SET ... PX so that Redis expires it; Take is GETDEL, so that of
// several instances taking the same code exactly one gets it. Redis
// measures expiry in milliseconds: a time to live under one is rounded up
// to one.
//
// Redis also implements OnceAdder (SET ... NX PX), which makes the
// replay check of client assertions atomic across instances.
//
// Unlike Memory, Redis puts no bound on the number or size of ordinary
// entries: the server's maxmemory is what bounds them. Evictable entries
// are bounded by PendingLimits (see redis_pending.go). Use a maxmemory-policy of
// volatile-ttl, volatile-lru or noeviction; with noeviction a full server
// refuses writes, which Put reports as storage.ErrUnavailable.
//
// Errors: a missing or expired entry is storage.ErrNotFound; a key holding
// something other than a string is storage.ErrMalformed; a cancelled or
// expired context is the context's error; anything else — the server
// cannot be reached, times out, is loading, refuses the write — is
// storage.ErrUnavailable.
type Redis struct {
	client  redis.UniversalClient
	prefix  string
	pending PendingLimits
	now     func() time.Time
}

var _ EvictableKV = (*Redis)(nil)

// NewRedis returns a KV that stores its entries in client, under keys that
// begin with prefix, with the default PendingLimits. The caller keeps
// ownership of client; Close closes it.
func NewRedis(client redis.UniversalClient, prefix string) *Redis {
	return &Redis{client: client, prefix: prefix, pending: PendingLimits{}.withDefaults(), now: time.Now}
}

// WithPendingLimits returns a Redis on the same client and prefix that
// bounds evictable entries by l. Every instance sharing the server should
// use the same limits.
func (r *Redis) WithPendingLimits(l PendingLimits) *Redis {
	c := *r
	c.pending = l.withDefaults()
	return &c
}

// DialRedis connects to one server, using database db, or to the seed
// nodes of a Redis Cluster when given several addresses, with
// DefaultRedisPrefix as the key prefix: DialRedisOptions with Addrs,
// Password and DB. An empty password sends none.
func DialRedis(addrs []string, password string, db int) (*Redis, error) {
	return DialRedisOptions(RedisOptions{Addrs: addrs, Password: password, DB: db})
}

// Close closes the client.
func (r *Redis) Close() error { return r.client.Close() }

// Put implements KV.
func (r *Redis) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := checkArgs(ctx, key); err != nil {
		return err
	}
	if ttl <= 0 {
		return errBadTTL
	}
	return wrapRedis(ctx, "put", r.client.Set(ctx, r.prefix+key, value, redisTTL(ttl)).Err())
}

// Get implements KV.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, error) {
	if err := checkArgs(ctx, key); err != nil {
		return nil, err
	}
	v, err := r.client.Get(ctx, r.prefix+key).Bytes()
	if err != nil {
		return nil, wrapRedis(ctx, "get", err)
	}
	return v, nil
}

// Take implements KV with GETDEL, which Redis runs atomically.
func (r *Redis) Take(ctx context.Context, key string) ([]byte, error) {
	if err := checkArgs(ctx, key); err != nil {
		return nil, err
	}
	v, err := r.client.GetDel(ctx, r.prefix+key).Bytes()
	if err != nil {
		return nil, wrapRedis(ctx, "take", err)
	}
	return v, nil
}

// Delete implements KV.
func (r *Redis) Delete(ctx context.Context, key string) error {
	if err := checkArgs(ctx, key); err != nil {
		return err
	}
	return wrapRedis(ctx, "delete", r.client.Del(ctx, r.prefix+key).Err())
}

// Add stores value under key for ttl only if key holds no live entry, in
// one step (SET ... NX PX) for every client of the server. It returns
// storage.ErrAlreadyExists when the key is taken. It implements
// OnceAdder.
func (r *Redis) Add(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := checkArgs(ctx, key); err != nil {
		return err
	}
	if ttl <= 0 {
		return errBadTTL
	}
	set, err := r.client.SetNX(ctx, r.prefix+key, value, redisTTL(ttl)).Result()
	if err != nil {
		return wrapRedis(ctx, "add", err)
	}
	if !set {
		return fmt.Errorf("session: add: %w", storage.ErrAlreadyExists)
	}
	return nil
}

// redisTTL rounds ttl up to the milliseconds Redis counts in, so that a
// positive ttl never becomes 0, which would mean no expiry at all.
func redisTTL(ttl time.Duration) time.Duration {
	return (ttl + time.Millisecond - 1).Truncate(time.Millisecond)
}

// wrapRedis maps an error from the client to the storage errors KV promises.
// The caller's context decides whether a failure is the caller's doing:
// the client reports its own dial timeout as context.DeadlineExceeded too.
func wrapRedis(ctx context.Context, op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, redis.Nil):
		return storage.ErrNotFound
	case ctx.Err() != nil:
		// The request ran out of time waiting for Redis: for the person
		// that is an outage (503 or the "try again later" page), and it
		// stays a context error for whoever checks that.
		return &unavailableError{msg: "session store (redis) " + op + " did not answer in time",
			cause: fmt.Errorf("%w (%v)", ctx.Err(), err)}
	case strings.HasPrefix(err.Error(), "WRONGTYPE"):
		return fmt.Errorf("session store (redis) %s: %w: %v", op, storage.ErrMalformed, err)
	default:
		return &unavailableError{msg: "session store (redis) " + op + " unavailable", cause: err}
	}
}
