package dpop

import (
	"context"
	"errors"
	"fmt"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// replayPrefix keeps the records apart from the store's other users.
const replayPrefix = "dpop/jti/"

// useJTI records the proof as used, refusing one seen before (§11.1). The
// record lives as long as the proof could be accepted: MaxAge behind and
// ClockSkew ahead of the time it arrived. A jti is unique per key, not
// across clients (§4.3 item 12): the record is the pair.
func (c *Checker) useJTI(ctx context.Context, p Proof) *oauth.Error {
	err := c.replay.Use(ctx, p.JKT, p.JTI, c.opts.MaxAge+c.opts.ClockSkew)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrAlreadyExists):
		return invalid("The DPoP proof has been used before; make a new one for each request.")
	}
	return oauth.ErrTemporarilyUnavailable().WithDescription("the service is temporarily unavailable").
		WithCause(fmt.Errorf("dpop replay store: %w", err))
}
