package jwtbearer

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// replayPrefix keeps the records apart from the other users of the
// session store (clientauth's client assertions among them: an assertion
// of one kind never uses up a jti of the other).
const replayPrefix = "jwtbearer/jti/"

// useJTI records the assertion's jti as used by its issuer, refusing one
// used before (RFC 7523 §3 item 7). The record outlives exp by the
// leeway, so that no instance can still take the assertion once it goes.
func (h *Handler) useJTI(ctx context.Context, a assertion) *oauth.Error {
	key := replayKey(a.issuer.Issuer, a.claims.ID)
	ttl := a.claims.Expiry.Time().Sub(h.now()) + leeway
	var err error
	if adder, ok := h.replay.(Adder); ok {
		err = adder.Add(ctx, key, []byte{1}, ttl)
	} else {
		err = h.getThenPut(ctx, key, ttl)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrAlreadyExists):
		return invalidGrant("jti: used before; make a new assertion for each request", nil)
	}
	return oauth.ErrTemporarilyUnavailable().WithDescription("the service is temporarily unavailable").WithCause(err)
}

// getThenPut stores key unless it is there, under a lock so that no two
// requests of this process both find it absent.
func (h *Handler) getThenPut(ctx context.Context, key string, ttl time.Duration) error {
	h.replayMu.Lock()
	defer h.replayMu.Unlock()
	_, err := h.replay.Get(ctx, key)
	switch {
	case err == nil:
		return storage.ErrAlreadyExists
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	return h.replay.Put(ctx, key, []byte{1}, ttl)
}

// replayKey is the store key of an issuer's jti: a hash of both,
// length-prefixed so that no two pairs share an input.
func replayKey(issuer, jti string) string {
	sum := sha256.New()
	for _, s := range []string{issuer, jti} {
		sum.Write(binary.AppendUvarint(nil, uint64(len(s))))
		sum.Write([]byte(s))
	}
	return replayPrefix + base64.RawURLEncoding.EncodeToString(sum.Sum(nil))
}
