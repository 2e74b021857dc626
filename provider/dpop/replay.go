package dpop

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

// replayPrefix keeps the records apart from the store's other users.
const replayPrefix = "dpop/jti/"

// useJTI records the proof as used, refusing one seen before (§11.1). The
// record lives as long as the proof could be accepted: MaxAge behind and
// ClockSkew ahead of the time it arrived.
func (c *Checker) useJTI(ctx context.Context, p Proof) *oauth.Error {
	key, stripe := replayKey(p.JKT, p.JTI)
	ttl := c.opts.MaxAge + c.opts.ClockSkew
	var err error
	if adder, ok := c.opts.Replay.(Adder); ok {
		err = adder.Add(ctx, key, []byte{1}, ttl)
	} else {
		err = c.getThenPut(ctx, key, stripe, ttl)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrAlreadyExists):
		return invalid("The DPoP proof has been used before; make a new one for each request.")
	}
	return oauth.ErrTemporarilyUnavailable().WithDescription("the service is temporarily unavailable").
		WithCause(fmt.Errorf("dpop replay store: %w", err))
}

// getThenPut stores key unless it is there, under the key's lock.
func (c *Checker) getThenPut(ctx context.Context, key string, stripe int, ttl time.Duration) error {
	mu := &c.locks[stripe%len(c.locks)]
	mu.Lock()
	defer mu.Unlock()
	_, err := c.opts.Replay.Get(ctx, key)
	switch {
	case err == nil:
		return storage.ErrAlreadyExists
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	return c.opts.Replay.Put(ctx, key, []byte{1}, ttl)
}

// replayKey hashes the key's thumbprint and the jti, length-prefixed: a
// jti is unique per key, not across clients (§4.3 item 12).
func replayKey(jkt, jti string) (string, int) {
	h := sha256.New()
	for _, s := range []string{jkt, jti} {
		h.Write(binary.AppendUvarint(nil, uint64(len(s))))
		h.Write([]byte(s))
	}
	sum := h.Sum(nil)
	return replayPrefix + base64.RawURLEncoding.EncodeToString(sum), int(sum[0])
}
