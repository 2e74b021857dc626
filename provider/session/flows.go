package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// DefaultFlowLifetime is how long a pending authorization request waits
// for the person to sign in and consent.
const DefaultFlowLifetime = 10 * time.Minute

// DefaultMaxFlowBytes bounds one flow as stored (its JSON). A request
// within the bounds package authorize enforces on its parameters fits
// several times over.
const DefaultMaxFlowBytes = 16 << 10

// ErrFlowTooLarge is returned by Flows.Put for a flow larger than its
// bound: the request is the client's mistake (invalid_request), not an
// outage.
var ErrFlowTooLarge = errors.New("session: authorization request too large to keep")

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
	// Origin is the address of the client that started the flow; flows
	// not yet signed in are bounded per origin (AddressGroup).
	Origin netip.Addr `json:"origin"`
	// Subject and AuthTime are set once the person has signed in during
	// this flow (so that prompt=login and max_age are met by that very
	// sign-in); empty before.
	Subject  string    `json:"sub"`
	AuthTime time.Time `json:"auth_time"`
	// PasswordUser is the login name of a person whose password the
	// directory says has expired or must be changed, while the flow waits
	// on the change-password page; empty otherwise.
	PasswordUser string `json:"password_user,omitempty"`
	// ReturnTo, when set, is a path on this server the browser goes back
	// to once signed in (the /device page), instead of consent or a code.
	ReturnTo string `json:"return_to,omitempty"`
}

// Flows keeps pending authorization requests in a KV, each for a fixed
// time from its creation (key "flow:"+hash of ID).
//
// Anyone can start a flow without signing in, so flows that nobody has
// signed in to yet (Subject empty) are evictable entries of the KV,
// grouped by Origin: a flood of them from one address, or from many,
// pushes out the oldest anonymous flows instead of filling the store. Once
// someone signs in to a flow it becomes an ordinary entry, which no flood
// evicts (it still expires). See EvictableKV.
type Flows struct {
	kv       KV
	lifetime time.Duration
	maxBytes int
	now      func() time.Time
}

// FlowOptions tune Flows. The zero value is a good default.
type FlowOptions struct {
	// Lifetime is how long a flow lives from its creation; 0 or less means
	// DefaultFlowLifetime.
	Lifetime time.Duration
	// MaxBytes bounds one stored flow; 0 or less means DefaultMaxFlowBytes.
	MaxBytes int
	// Clock tells the time; nil means time.Now.
	Clock func() time.Time
}

// NewFlows returns the flows kept in kv. A lifetime of 0 or less means
// DefaultFlowLifetime; a nil clock means time.Now.
func NewFlows(kv KV, lifetime time.Duration, clock func() time.Time) *Flows {
	return NewFlowsWith(kv, FlowOptions{Lifetime: lifetime, Clock: clock})
}

// NewFlowsWith returns the flows kept in kv, tuned by opts.
func NewFlowsWith(kv KV, opts FlowOptions) *Flows {
	if opts.Lifetime <= 0 {
		opts.Lifetime = DefaultFlowLifetime
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxFlowBytes
	}
	return &Flows{kv: kv, lifetime: opts.Lifetime, maxBytes: opts.MaxBytes, now: clockOrNow(opts.Clock)}
}

const flowPrefix = "flow:"

// Put stores f and returns it. A flow without an ID is new: it gets a
// fresh ID and Created now. A flow with an ID replaces the stored one and
// keeps its deadline, Created plus the lifetime, and its Origin: steps can
// record their progress but never extend the flow. Past the deadline, or
// once evicted, Put is storage.ErrNotFound. A flow that encodes to more
// than MaxBytes is ErrFlowTooLarge.
func (fs *Flows) Put(ctx context.Context, f Flow) (Flow, error) {
	now := fs.now()
	if f.ID == "" {
		f.ID, f.Created = randomID(32), now
	} else {
		old, err := fs.Get(ctx, f.ID)
		if err != nil {
			return Flow{}, err
		}
		f.Created, f.Origin = old.Created, old.Origin
	}
	ttl := f.Created.Add(fs.lifetime).Sub(now)
	if ttl <= 0 {
		return Flow{}, storage.ErrNotFound
	}
	raw, err := json.Marshal(f)
	if err != nil {
		return Flow{}, fmt.Errorf("session: encode flow: %w", err)
	}
	if len(raw) > fs.maxBytes {
		return Flow{}, fmt.Errorf("%w: %d bytes, at most %d", ErrFlowTooLarge, len(raw), fs.maxBytes)
	}
	if err := fs.store(ctx, f, raw, ttl); err != nil {
		return Flow{}, err
	}
	return f, nil
}

// store writes an anonymous flow as evictable, and a signed-in one as an
// ordinary entry, taking it out of line first so that it cannot be
// evicted between the two steps.
func (fs *Flows) store(ctx context.Context, f Flow, raw []byte, ttl time.Duration) error {
	key := hashedKey(flowPrefix, f.ID)
	ev, ok := fs.kv.(EvictableKV)
	switch {
	case !ok:
		return fs.kv.Put(ctx, key, raw, ttl)
	case f.Subject == "":
		return ev.PutEvictable(ctx, AddressGroup(f.Origin), key, raw, ttl)
	}
	if err := ev.Unlist(ctx, AddressGroup(f.Origin), key); err != nil {
		return err
	}
	return ev.Put(ctx, key, raw, ttl)
}

// Get returns the pending flow with the given ID, or storage.ErrNotFound.
func (fs *Flows) Get(ctx context.Context, id string) (Flow, error) {
	return fs.read(ctx, id, fs.kv.Get)
}

// Take returns the flow and ends it, so that the step that finishes a flow
// (issuing the code, or the error) can run only once.
func (fs *Flows) Take(ctx context.Context, id string) (Flow, error) {
	f, err := fs.read(ctx, id, fs.kv.Take)
	if err == nil {
		fs.unlist(ctx, f)
	}
	return f, err
}

// Delete ends the flow; one that does not exist is not an error.
func (fs *Flows) Delete(ctx context.Context, id string) error {
	_, err := fs.Take(ctx, id)
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrMalformed) {
		return nil // gone, or taken away all the same
	}
	return err
}

// unlist drops an ended flow from the line of evictable ones. Failing to
// is no one's problem now: a stale listing costs a place in line until
// the flow's lifetime ends.
func (fs *Flows) unlist(ctx context.Context, f Flow) {
	if ev, ok := fs.kv.(EvictableKV); ok && f.Subject == "" {
		_ = ev.Unlist(ctx, AddressGroup(f.Origin), hashedKey(flowPrefix, f.ID))
	}
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
