package session

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// gcraScript is one failure of a generic cell rate limiter, done in Redis
// so that every instance sharing the server counts against one limit. The
// key holds the instant, in Unix milliseconds, at which all the key's
// failures are forgotten; a failure moves it to max(it, now) + interval and
// lets Redis expire the key then. Read, compute and write happen in one
// script: two instances failing the same key at once both count.
//
// KEYS[1] the key; ARGV[1] now, ARGV[2] interval, both in milliseconds.
// Returns the new instant.
var gcraScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local tat = now
local cur = tonumber(redis.call('GET', KEYS[1]) or '')
if cur and cur > now then tat = cur end
tat = tat + tonumber(ARGV[2])
redis.call('SET', KEYS[1], string.format('%d', tat), 'PX', string.format('%d', tat - now))
return tat
`)

// errBadInterval is returned for a GCRA step that would not move the
// instant forward.
var errBadInterval = errors.New("session: interval must be at least a millisecond")

// AddInterval moves the instant stored under key — when all of a key's
// failures are forgotten — to max(instant, now) + interval, atomically for
// every client of the server, and expires the key at that instant. It
// returns the new instant. The value is the decimal Unix time in
// milliseconds, so Get reads it. It implements throttle.Store.
func (r *Redis) AddInterval(ctx context.Context, key string, now time.Time, interval time.Duration) (time.Time, error) {
	if err := checkArgs(ctx, key); err != nil {
		return time.Time{}, err
	}
	ms := redisTTL(interval).Milliseconds()
	if ms <= 0 {
		return time.Time{}, errBadInterval
	}
	tat, err := gcraScript.Run(ctx, r.client, []string{r.prefix + key}, now.UnixMilli(), ms).Int64()
	if err != nil {
		return time.Time{}, wrapRedis(ctx, "add interval", err)
	}
	return time.UnixMilli(tat), nil
}
