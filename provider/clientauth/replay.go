package clientauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// replayPrefix keeps the replay records apart from the other users of the
// session store.
const replayPrefix = "clientauth/jti/"

// useJTI records the assertion's jti as used, refusing one used before
// (RFC 7523 §3 item 7, OpenID Connect Core §9: jti "MUST only be used
// once"). The record outlives exp by the leeway, so that an instance whose
// clock runs a little behind ours cannot take the assertion either.
func (a *Authenticator) useJTI(ctx context.Context, clientID, jti string, exp, now time.Time) *oauth.Error {
	key, stripe := replayKey(clientID, jti)
	ttl := exp.Sub(now) + leeway
	var err error
	if adder, ok := a.replay.(Adder); ok {
		err = adder.Add(ctx, key, []byte{1}, ttl)
	} else {
		err = a.getThenPut(ctx, key, stripe, ttl)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrAlreadyExists):
		return a.refuse(false, "The client assertion has been used before; make a new one for each request.", errReplayed)
	}
	return unavailable(fmt.Errorf("replay store: %w", err))
}

// getThenPut stores key unless it is there, under the key's lock so that
// no two requests in this process both find it absent.
func (a *Authenticator) getThenPut(ctx context.Context, key string, stripe int, ttl time.Duration) error {
	mu := &a.replayLocks[stripe%len(a.replayLocks)]
	mu.Lock()
	defer mu.Unlock()
	_, err := a.replay.Get(ctx, key)
	switch {
	case err == nil:
		return storage.ErrAlreadyExists
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	return a.replay.Put(ctx, key, []byte{1}, ttl)
}

// replayKey is the store key for a client's jti: a hash of both,
// length-prefixed so that no two pairs share an input. stripe picks the
// key's lock.
func replayKey(clientID, jti string) (key string, stripe int) {
	h := sha256.New()
	for _, s := range []string{clientID, jti} {
		h.Write(binary.AppendUvarint(nil, uint64(len(s))))
		h.Write([]byte(s))
	}
	sum := h.Sum(nil)
	return replayPrefix + base64.RawURLEncoding.EncodeToString(sum), int(sum[0])
}
