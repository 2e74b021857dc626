package session

import "github.com/redis/go-redis/v9"

// Client is the connection of the store, for other shared state of the
// provider that lives beside the sessions (the back-channel logout queue),
// so that it needs no server or configuration of its own. The store keeps
// ownership: Close closes it.
func (r *Redis) Client() redis.UniversalClient { return r.client }

// Prefix is the store's key prefix; others sharing the client put their
// keys under it too.
func (r *Redis) Prefix() string { return r.prefix }
