package mfa

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/throttle"
)

// Wrong first codes when adding an app on the account page count under
// the person's /mfa key: past the limit even the right code is not
// checked, and the person's count at /mfa is the same one.
func TestFinishEnrolmentThrottled(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	enrolments, err := newSealer(bytes.Repeat([]byte{7}, 32), "totp enrolment")
	if err != nil {
		t.Fatal(err)
	}
	logins := throttle.NewLogins(throttle.LoginOptions{Usernames: throttle.Options{MaxFailures: 3, Window: time.Hour}})
	h := &Handler{Options: Options{Throttle: logins, Issuer: "example.org", Now: func() time.Time { return now }},
		enrolments: enrolments}
	e, err := h.StartEnrolment("sub-1", "sid-1")
	if err != nil {
		t.Fatal(err)
	}
	secret, err := enrolments.open("sub-1\x00account\x00sid-1", e.Sealed)
	if err != nil {
		t.Fatal(err)
	}
	right := totpCode(secret, totpStepAt(now))
	wrong := "000000"
	if wrong == right {
		wrong = "111111"
	}
	ctx := context.Background()
	for i := range 3 {
		if _, err := h.FinishEnrolment(ctx, "sub-1", "sid-1", e.Sealed, wrong, "app"); !errors.Is(err, ErrWrongCode) {
			t.Fatalf("wrong code %d: %v, want ErrWrongCode", i, err)
		}
	}
	if _, err := h.FinishEnrolment(ctx, "sub-1", "sid-1", e.Sealed, right, "app"); !errors.Is(err, ErrThrottled) {
		t.Fatalf("right code past the limit: %v, want ErrThrottled", err)
	}
	if ok, _, err := logins.AllowKnown(ctx, throttleKey("sub-1")); err != nil || ok {
		t.Errorf("the /mfa count of sub-1 allows (%v, %v); want it shared and closed", ok, err)
	}
	if ok, _, _ := logins.AllowKnown(ctx, throttleKey("sub-2")); !ok {
		t.Error("another person is throttled")
	}
}
