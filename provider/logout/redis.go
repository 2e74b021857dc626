package logout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// Redis is a Queue in Redis, shared by every instance that uses the same
// server and prefix. Three keys, with one hash tag so that a Redis
// Cluster keeps them in one slot for the scripts:
//
//	<prefix>{logout}:jobs    hash: job id → job JSON
//	<prefix>{logout}:due     sorted set: job id by when it is due (ms)
//	<prefix>{logout}:leased  sorted set: job id by when its lease ends (ms)
//
// Each step is one script, so a job is always in exactly one of the sets
// while it exists, whatever runs at the same time on other instances.
type Redis struct {
	client            redis.UniversalClient
	jobs, due, leased string
	now               func() time.Time
}

// NewRedis returns the queue kept in client under prefix; a nil clock
// means time.Now. The clocks of the instances should agree to well within
// a lease.
func NewRedis(client redis.UniversalClient, prefix string, clock func() time.Time) *Redis {
	if clock == nil {
		clock = time.Now
	}
	base := prefix + "{logout}:"
	return &Redis{client: client, jobs: base + "jobs", due: base + "due", leased: base + "leased", now: clock}
}

var pushScript = redis.NewScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1`)

// takeScript first returns the jobs whose lease ran out to the due set
// (their worker died or hung), then leases the job due first.
var takeScript = redis.NewScript(`
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[1])
for _, id in ipairs(expired) do
  redis.call('ZREM', KEYS[3], id)
  redis.call('ZADD', KEYS[2], ARGV[1], id)
end
local first = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #first == 0 then return false end
local id = first[1]
redis.call('ZREM', KEYS[2], id)
local job = redis.call('HGET', KEYS[1], id)
if not job then return false end
redis.call('ZADD', KEYS[3], ARGV[2], id)
return job`)

var retryScript = redis.NewScript(`
if redis.call('ZREM', KEYS[3], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1`)

var doneScript = redis.NewScript(`
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
return 1`)

func (q *Redis) keys() []string { return []string{q.jobs, q.due, q.leased} }

func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// Push implements Queue.
func (q *Redis) Push(ctx context.Context, j Job) error {
	raw, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("logout: encode job: %w", err)
	}
	return wrap("push", pushScript.Run(ctx, q.client, q.keys(), j.ID, raw, ms(q.now())).Err())
}

// Take implements Queue.
func (q *Redis) Take(ctx context.Context, lease time.Duration) (Job, error) {
	now := q.now()
	raw, err := takeScript.Run(ctx, q.client, q.keys(), ms(now), ms(now.Add(lease))).Text()
	if errors.Is(err, redis.Nil) {
		return Job{}, ErrEmpty
	}
	if err != nil {
		return Job{}, wrap("take", err)
	}
	var j Job
	if err := json.Unmarshal([]byte(raw), &j); err != nil {
		return Job{}, fmt.Errorf("logout: job: %w: %v", storage.ErrMalformed, err)
	}
	return j, nil
}

// Retry implements Queue.
func (q *Redis) Retry(ctx context.Context, j Job, at time.Time) error {
	raw, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("logout: encode job: %w", err)
	}
	return wrap("retry", retryScript.Run(ctx, q.client, q.keys(), j.ID, raw, ms(at)).Err())
}

// Done implements Queue.
func (q *Redis) Done(ctx context.Context, j Job) error {
	return wrap("done", doneScript.Run(ctx, q.client, q.keys(), j.ID).Err())
}

// wrap makes a Redis failure storage.ErrUnavailable, naming the queue.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("logout queue (redis) %s: %w: %v", op, storage.ErrUnavailable, err)
}
