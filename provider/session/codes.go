package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// CodeGrant is what an authorization code stands for: everything the token
// endpoint needs to check the redemption (RFC 6749 4.1.3, RFC 7636 4.6)
// and to mint the tokens.
type CodeGrant struct {
	ClientID            string `json:"client_id"`
	RedirectURI         string `json:"redirect_uri"`
	Subject             string `json:"sub"`
	SessionSID          string `json:"sid"`
	Nonce               string `json:"nonce"`
	CodeChallenge       string `json:"code_challenge"`
	CodeChallengeMethod string `json:"code_challenge_method"`
	// Scopes and Claims are what was granted.
	Scopes []string `json:"scopes"`
	Claims []string `json:"claims"`
	// AuthTime, ACR and AMR are copied from the session at issue time.
	AuthTime time.Time `json:"auth_time"`
	ACR      string    `json:"acr"`
	AMR      []string  `json:"amr"`
	// IssuedAt is set by Issue.
	IssuedAt time.Time `json:"iat"`
	// Extra is for the issuer's own use, encoded by it.
	Extra json.RawMessage `json:"extra,omitempty"`
}

// ErrCodeReused is the answer of Redeem for a code that was redeemed
// before and is presented again. RFC 6749 4.1.2: the authorization server
// should then revoke the tokens issued for it. The error is a ReuseError
// naming the first redemption, and it is also storage.ErrNotFound, so a
// caller that checks only that refuses the code all the same.
var ErrCodeReused = fmt.Errorf("authorization code used before: %w", storage.ErrNotFound)

// ReuseError tells which grant a replayed code belonged to, so that the
// tokens issued from it can be revoked. errors.Is(err, ErrCodeReused).
type ReuseError struct {
	ClientID   string
	Subject    string
	SessionSID string
	RedeemedAt time.Time
}

func (e *ReuseError) Error() string { return ErrCodeReused.Error() }
func (e *ReuseError) Unwrap() error { return ErrCodeReused }

// Codes keeps authorization codes in a KV.
//
// A code is 256 random bits, base64url, and is stored under the hash of
// its value ("code:"+hash) for its lifetime. Redeem takes the entry, so a
// code works once however many requests race for it, and leaves a marker
// ("used:"+hash) for one more lifetime so that a replay is told apart from
// a code never issued. A replay racing with the first redemption may find
// no marker yet and get plain storage.ErrNotFound; both are invalid_grant.
type Codes struct {
	kv  KV
	now func() time.Time
}

// NewCodes returns the codes kept in kv; a nil clock means time.Now.
func NewCodes(kv KV, clock func() time.Time) *Codes {
	return &Codes{kv: kv, now: clockOrNow(clock)}
}

const (
	codePrefix = "code:"
	usedPrefix = "used:"
)

// codeRecord is a stored code: the grant and its lifetime, which the
// replay marker inherits.
type codeRecord struct {
	Grant    CodeGrant     `json:"grant"`
	Lifetime time.Duration `json:"lifetime"`
}

// usedRecord is the replay marker.
type usedRecord struct {
	ClientID   string    `json:"client_id"`
	Subject    string    `json:"sub"`
	SessionSID string    `json:"sid"`
	RedeemedAt time.Time `json:"redeemed_at"`
}

// Issue stores g, with IssuedAt now, and returns a new code for it valid
// for ttl (op.authz.codeLifetime).
func (cs *Codes) Issue(ctx context.Context, g CodeGrant, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", errBadTTL
	}
	g.IssuedAt = cs.now()
	raw, err := json.Marshal(codeRecord{Grant: g, Lifetime: ttl})
	if err != nil {
		return "", fmt.Errorf("session: encode code: %w", err)
	}
	code := randomID(32)
	if err := cs.kv.Put(ctx, hashedKey(codePrefix, code), raw, ttl); err != nil {
		return "", err
	}
	return code, nil
}

// Redeem returns the grant of code and ends the code. A code redeemed
// before is a *ReuseError (ErrCodeReused); an unknown or expired code is
// storage.ErrNotFound. The caller still checks that the grant belongs to
// the client and redirect URI presented (RFC 6749 4.1.3).
func (cs *Codes) Redeem(ctx context.Context, code string) (CodeGrant, error) {
	if code == "" {
		return CodeGrant{}, storage.ErrNotFound
	}
	raw, err := cs.kv.Take(ctx, hashedKey(codePrefix, code))
	if errors.Is(err, storage.ErrNotFound) {
		return CodeGrant{}, cs.replayed(ctx, code)
	}
	if err != nil {
		return CodeGrant{}, err
	}
	var rec codeRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return CodeGrant{}, malformed("code", err)
	}
	now := cs.now()
	if rec.Lifetime <= 0 || !now.Before(rec.Grant.IssuedAt.Add(rec.Lifetime)) {
		return CodeGrant{}, storage.ErrNotFound
	}
	cs.markUsed(ctx, code, rec, now)
	return rec.Grant, nil
}

// markUsed leaves the replay marker. Failing to is not the redeemer's
// problem: the code is spent either way, and a replay then looks unknown.
func (cs *Codes) markUsed(ctx context.Context, code string, rec codeRecord, now time.Time) {
	g := rec.Grant
	raw, err := json.Marshal(usedRecord{ClientID: g.ClientID, Subject: g.Subject, SessionSID: g.SessionSID, RedeemedAt: now})
	if err != nil {
		return
	}
	_ = cs.kv.Put(ctx, hashedKey(usedPrefix, code), raw, rec.Lifetime)
}

// replayed is the error for a code with no live entry: a ReuseError when
// its marker is there, storage.ErrNotFound otherwise.
func (cs *Codes) replayed(ctx context.Context, code string) error {
	raw, err := cs.kv.Get(ctx, hashedKey(usedPrefix, code))
	if err != nil {
		return err
	}
	var u usedRecord
	if err := json.Unmarshal(raw, &u); err != nil {
		return malformed("code marker", err)
	}
	return &ReuseError{ClientID: u.ClientID, Subject: u.Subject, SessionSID: u.SessionSID, RedeemedAt: u.RedeemedAt}
}
