package session

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"sync"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// OnceStore is what Once needs of a store: Get and Put, and, for a store
// shared by several instances, Add (OnceAdder).
type OnceStore interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// OnceAdder is implemented by stores that store a key only when it is
// absent, in one atomic step for every instance sharing the store (Redis:
// SET NX). It returns storage.ErrAlreadyExists when the key holds a live
// entry.
type OnceAdder interface {
	Add(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// Once remembers pairs of values (an issuer or a key, and a jti) for a
// time, so that each is accepted once: the replay caches of client
// assertions, DPoP proofs and assertion grants. With a store that has Add
// the check holds across instances; without, Get and Put run under a
// per-key lock, which holds within this process only. It is safe for
// concurrent use.
type Once struct {
	store  OnceStore
	prefix string
	locks  [64]sync.Mutex
}

// NewOnce keeps its records in store under prefix, apart from the
// store's other users.
func NewOnce(store OnceStore, prefix string) *Once {
	return &Once{store: store, prefix: prefix}
}

// Use records (scope, id) as used for ttl; storage.ErrAlreadyExists when
// it was used before, any other error when the store fails.
func (o *Once) Use(ctx context.Context, scope, id string, ttl time.Duration) error {
	key, stripe := o.key(scope, id)
	if adder, ok := o.store.(OnceAdder); ok {
		return adder.Add(ctx, key, []byte{1}, ttl)
	}
	mu := &o.locks[stripe%len(o.locks)]
	mu.Lock()
	defer mu.Unlock()
	_, err := o.store.Get(ctx, key)
	switch {
	case err == nil:
		return storage.ErrAlreadyExists
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	return o.store.Put(ctx, key, []byte{1}, ttl)
}

// key is the store key of a pair: a hash of both, length-prefixed so that
// no two pairs share an input; stripe picks the key's lock.
func (o *Once) key(scope, id string) (string, int) {
	h := sha256.New()
	for _, s := range []string{scope, id} {
		h.Write(binary.AppendUvarint(nil, uint64(len(s))))
		h.Write([]byte(s))
	}
	sum := h.Sum(nil)
	return o.prefix + base64.RawURLEncoding.EncodeToString(sum), int(sum[0])
}
