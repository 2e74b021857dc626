package session

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// DefaultFlowLifetime is how long a pending authorization request waits
// for the person to sign in and consent.
const DefaultFlowLifetime = 10 * time.Minute

// Flow is an authorization request on its way from /authorize to the
// code, named in the login and consent URLs by its ID.
type Flow struct {
	// ID is 256 random bits, base64url; the store keeps only its hash.
	ID string `json:"-"`
	// ClientID is the client that asked.
	ClientID string `json:"client_id"`
	// Request is the validated authorization request, encoded by the
	// package that owns it; this package does not look inside.
	Request json.RawMessage `json:"request,omitempty"`
	// Created starts the flow's lifetime.
	Created time.Time `json:"created"`
	// LoginHint prefills the login form.
	LoginHint string `json:"login_hint"`
	// Subject and AuthTime are set once the person has signed in during
	// this flow (so that prompt=login and max_age are met by that very
	// sign-in); empty before.
	Subject  string    `json:"sub"`
	AuthTime time.Time `json:"auth_time"`
}

// Flows keeps pending authorization requests in a KV, each for a fixed
// time from its creation (key "flow:"+hash of ID).
type Flows struct {
	kv       KV
	lifetime time.Duration
	now      func() time.Time
}

// NewFlows returns the flows kept in kv. A lifetime of 0 or less means
// DefaultFlowLifetime; a nil clock means time.Now.
func NewFlows(kv KV, lifetime time.Duration, clock func() time.Time) *Flows {
	if lifetime <= 0 {
		lifetime = DefaultFlowLifetime
	}
	return &Flows{kv: kv, lifetime: lifetime, now: clockOrNow(clock)}
}

const flowPrefix = "flow:"

// Put stores f and returns it. A flow without an ID is new: it gets a
// fresh ID and Created now. A flow with an ID replaces the stored one and
// keeps its deadline, Created plus the lifetime: steps can record their
// progress but never extend the flow. Past the deadline Put is
// storage.ErrNotFound.
func (fs *Flows) Put(ctx context.Context, f Flow) (Flow, error) {
	now := fs.now()
	if f.ID == "" {
		f.ID, f.Created = randomID(32), now
	} else {
		old, err := fs.Get(ctx, f.ID)
		if err != nil {
			return Flow{}, err
		}
		f.Created = old.Created
	}
	ttl := f.Created.Add(fs.lifetime).Sub(now)
	if ttl <= 0 {
		return Flow{}, storage.ErrNotFound
	}
	raw, err := json.Marshal(f)
	if err != nil {
		return Flow{}, fmt.Errorf("session: encode flow: %w", err)
	}
	if err := fs.kv.Put(ctx, hashedKey(flowPrefix, f.ID), raw, ttl); err != nil {
		return Flow{}, err
	}
	return f, nil
}

// Get returns the pending flow with the given ID, or storage.ErrNotFound.
func (fs *Flows) Get(ctx context.Context, id string) (Flow, error) {
	return fs.read(ctx, id, fs.kv.Get)
}

// Take returns the flow and ends it, so that the step that finishes a flow
// (issuing the code, or the error) can run only once.
func (fs *Flows) Take(ctx context.Context, id string) (Flow, error) {
	return fs.read(ctx, id, fs.kv.Take)
}

// Delete ends the flow; one that does not exist is not an error.
func (fs *Flows) Delete(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	return fs.kv.Delete(ctx, hashedKey(flowPrefix, id))
}

func (fs *Flows) read(ctx context.Context, id string, op func(context.Context, string) ([]byte, error)) (Flow, error) {
	if id == "" {
		return Flow{}, storage.ErrNotFound
	}
	raw, err := op(ctx, hashedKey(flowPrefix, id))
	if err != nil {
		return Flow{}, err
	}
	var f Flow
	if err := json.Unmarshal(raw, &f); err != nil {
		return Flow{}, malformed("flow", err)
	}
	if !fs.now().Before(f.Created.Add(fs.lifetime)) {
		return Flow{}, storage.ErrNotFound
	}
	f.ID = id
	return f, nil
}
