package par

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// keyPrefix marks pushed requests in the session store.
const keyPrefix = "par:"

// randomBytes is the entropy of a request_uri: 256 bits, as for codes, so
// that it cannot be guessed within its lifetime (RFC 9126 §7.1).
const randomBytes = 32

// Store keeps pushed authorization requests in a session.KV until they
// are taken or expire.
type Store struct {
	kv session.KV
}

// NewStore returns the pushed requests kept in kv.
func NewStore(kv session.KV) *Store { return &Store{kv: kv} }

// Push stores req, validated, for ttl and returns the request_uri that
// stands for it.
func (s *Store) Push(ctx context.Context, req authorize.Request, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", errors.New("par: the lifetime must be positive")
	}
	raw, err := json.Marshal(req)
	if err != nil {
		return "", fmt.Errorf("par: encode request: %w", err)
	}
	b := make([]byte, randomBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails; it crashes the program instead
	ref := base64.RawURLEncoding.EncodeToString(b)
	if err := s.kv.Put(ctx, storeKey(req.ClientID, ref), raw, ttl); err != nil {
		return "", err
	}
	return authorize.PushedURIPrefix + ref, nil
}

// Take returns the request that requestURI stands for and removes it, in
// one step of the store: of two /authorize requests racing with the same
// request_uri, one gets it. It implements authorize.PushedLookup:
// storage.ErrNotFound for a request_uri that is unknown, expired, taken
// before or pushed by another client.
func (s *Store) Take(ctx context.Context, clientID, requestURI string) (authorize.Request, error) {
	ref, ok := cutPrefix(requestURI)
	if !ok {
		return authorize.Request{}, errNotPushed
	}
	raw, err := s.kv.Take(ctx, storeKey(clientID, ref))
	if err != nil {
		return authorize.Request{}, err
	}
	var req authorize.Request
	if err := json.Unmarshal(raw, &req); err != nil {
		return authorize.Request{}, fmt.Errorf("par: stored request: %w", err)
	}
	return req, nil
}

// storeKey binds the entry to its client: the SHA-256 of client_id and
// the random part, so that the store holds no request_uri and a client
// presenting another's request_uri finds nothing (and cannot use it up).
func storeKey(clientID, ref string) string {
	h := sha256.New()
	h.Write([]byte(clientID))
	h.Write([]byte{0})
	h.Write([]byte(ref))
	return keyPrefix + base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}
