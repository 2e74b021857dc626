package jwtbearer

import (
	"context"
	"errors"

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
	err := h.replay.Use(ctx, a.issuer.Issuer, a.claims.ID, a.claims.Expiry.Time().Sub(h.now())+leeway)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrAlreadyExists):
		return invalidGrant("jti: used before; make a new assertion for each request", nil)
	}
	return oauth.ErrTemporarilyUnavailable().WithDescription("the service is temporarily unavailable").WithCause(err)
}
