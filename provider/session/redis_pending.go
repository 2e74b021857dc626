package session

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Evictable entries in Redis are ordinary string keys, listed in two
// sorted sets scored by their expiry in Unix microseconds: one per group
// ("evict:g:"+group) with the keys, one for the store ("evict:all") with
// group NUL key. With one lifetime for every entry, expiry order is age
// order (entries put one after another, each a round trip, do not tie). PutEvictable adds to both and then trims each to its limit by
// popping the lowest scores and deleting their keys; Unlist removes from
// both. The sets expire with their newest member, and members whose entry
// has expired are dropped on every insert.
//
// Only single-key commands are used, in pipelines, so that this works on a
// Redis Cluster too; the price is that two instances trimming at the same
// moment may evict one entry more, or one fewer, than needed. The bound is
// kept up to that: the next insert trims again.
const (
	evictAllKey   = "evict:all"
	evictGroupKey = "evict:g:"
)

var errNULGroup = errors.New("session: group holds a NUL byte")

// PutEvictable implements EvictableKV.
func (r *Redis) PutEvictable(ctx context.Context, group, key string, value []byte, ttl time.Duration) error {
	if err := checkArgs(ctx, key); err != nil {
		return err
	}
	if ttl <= 0 {
		return errBadTTL
	}
	if strings.Contains(group, "\x00") {
		return errNULGroup
	}
	now := r.now()
	expires := now.Add(redisTTL(ttl))
	score := float64(expires.UnixMicro())
	lineKey, allKey := r.prefix+evictGroupKey+group, r.prefix+evictAllKey
	cutoff := strconv.FormatInt(now.UnixMicro(), 10)
	var added, inLine, inAll *redis.IntCmd
	_, err := r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, r.prefix+key, value, redisTTL(ttl))
		// NX: a replaced entry keeps its place in line.
		added = p.ZAddNX(ctx, lineKey, redis.Z{Score: score, Member: key})
		p.ZAddNX(ctx, allKey, redis.Z{Score: score, Member: group + "\x00" + key})
		p.ZRemRangeByScore(ctx, lineKey, "-inf", cutoff)
		p.ZRemRangeByScore(ctx, allKey, "-inf", cutoff)
		inLine, inAll = p.ZCard(ctx, lineKey), p.ZCard(ctx, allKey)
		return nil
	})
	if err != nil {
		return wrapRedis(ctx, "put", err)
	}
	return r.trim(ctx, group, added.Val() == 1, expires, inLine.Val(), inAll.Val())
}

// trim keeps the sets' expiry up with a new member, and pops what is over
// the limits; evict then deletes the popped entries.
func (r *Redis) trim(ctx context.Context, group string, added bool, expires time.Time, inLine, inAll int64) error {
	lineKey, allKey := r.prefix+evictGroupKey+group, r.prefix+evictAllKey
	overLine := inLine - int64(r.pending.PerGroup)
	overAll := inAll - max(overLine, 0) - int64(r.pending.Max)
	if !added && overLine <= 0 && overAll <= 0 {
		return nil
	}
	var fromLine, fromAll *redis.ZSliceCmd
	_, err := r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		if added {
			p.PExpireAt(ctx, lineKey, expires)
			p.PExpireAt(ctx, allKey, expires)
		}
		if overLine > 0 {
			fromLine = p.ZPopMin(ctx, lineKey, overLine)
		}
		if overAll > 0 {
			fromAll = p.ZPopMin(ctx, allKey, overAll)
		}
		return nil
	})
	if err != nil {
		return wrapRedis(ctx, "evict", err)
	}
	return r.evict(ctx, group, fromLine, fromAll)
}

// evict deletes the entries popped from a group's line or from the
// store's, and their listing in the other set.
func (r *Redis) evict(ctx context.Context, group string, fromLine, fromAll *redis.ZSliceCmd) error {
	_, err := r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, z := range zMembers(fromLine) {
			p.Del(ctx, r.prefix+z)
			p.ZRem(ctx, r.prefix+evictAllKey, group+"\x00"+z)
		}
		for _, z := range zMembers(fromAll) {
			g, key, _ := strings.Cut(z, "\x00")
			p.Del(ctx, r.prefix+key)
			p.ZRem(ctx, r.prefix+evictGroupKey+g, key)
		}
		return nil
	})
	return wrapRedis(ctx, "evict", err)
}

func zMembers(c *redis.ZSliceCmd) []string {
	if c == nil {
		return nil
	}
	var out []string
	for _, z := range c.Val() {
		if s, ok := z.Member.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Unlist implements EvictableKV.
func (r *Redis) Unlist(ctx context.Context, group, key string) error {
	if err := checkArgs(ctx, key); err != nil {
		return err
	}
	_, err := r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRem(ctx, r.prefix+evictGroupKey+group, key)
		p.ZRem(ctx, r.prefix+evictAllKey, group+"\x00"+key)
		return nil
	})
	return wrapRedis(ctx, "unlist", err)
}

// Stats counts the evictable entries. Ordinary entries are not counted:
// Entries and MaxEntries are -1.
func (r *Redis) Stats(ctx context.Context) (Stats, error) {
	allKey := r.prefix + evictAllKey
	var n *redis.IntCmd
	_, err := r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRemRangeByScore(ctx, allKey, "-inf", strconv.FormatInt(r.now().UnixMicro(), 10))
		n = p.ZCard(ctx, allKey)
		return nil
	})
	if err != nil {
		return Stats{}, wrapRedis(ctx, "stats", err)
	}
	return Stats{Entries: -1, MaxEntries: -1, Pending: int(n.Val()), MaxPending: r.pending.Max}, nil
}

// Ready asks the server for a PING within ctx. A server that does not
// answer in time, or answers with an error, is not ready: the error is
// storage.ErrUnavailable and names the session store.
func (r *Redis) Ready(ctx context.Context) error {
	if err := r.client.Ping(ctx).Err(); err != nil {
		return &unavailableError{msg: "session store (redis) not answering", cause: err}
	}
	return nil
}
