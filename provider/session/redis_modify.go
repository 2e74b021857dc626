package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

var _ Modifier = (*Redis)(nil)

// modifyAttempts bounds the optimistic retries of Modify: each one lost a
// race to another writer of the same key, which for a person's own index
// means another sign-in of theirs at the same moment.
const modifyAttempts = 16

// Modify implements Modifier with WATCH, GET and MULTI/EXEC (an optimistic
// transaction on one key, which Redis Cluster allows): when another client
// writes the key in between, EXEC fails and the whole step is tried again.
func (r *Redis) Modify(ctx context.Context, key string, ttl time.Duration, fn func(old []byte, found bool) ([]byte, error)) error {
	if err := checkArgs(ctx, key); err != nil {
		return err
	}
	if ttl <= 0 {
		return errBadTTL
	}
	full := r.prefix + key
	var fnErr error
	step := func(tx *redis.Tx) error {
		old, err := tx.Get(ctx, full).Bytes()
		found := err == nil
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		next, err := fn(old, found)
		if err != nil {
			fnErr = err
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			if next == nil {
				p.Del(ctx, full)
			} else {
				p.Set(ctx, full, next, redisTTL(ttl))
			}
			return nil
		})
		return err
	}
	for range modifyAttempts {
		fnErr = nil
		err := r.client.Watch(ctx, step, full)
		switch {
		case err == nil:
			return nil
		case fnErr != nil:
			return fnErr
		case errors.Is(err, redis.TxFailedErr):
			continue
		default:
			return wrapRedis(ctx, "modify", err)
		}
	}
	return fmt.Errorf("session store (redis) modify %s: %w: too much contention", key, storage.ErrConflict)
}
