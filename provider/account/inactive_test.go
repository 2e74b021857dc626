package account_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// closedPeople answers every lookup as the directory does for an account
// an administrator disabled.
type closedPeople struct{}

func (closedPeople) Lookup(_ context.Context, sub string) (oauth.User, error) {
	return oauth.User{}, fmt.Errorf("user %q: account disabled: %w", sub, storage.ErrInactive)
}

// A person who may no longer sign in does not get the page on a live
// session: the session ends and the browser is sent to sign in, which the
// directory refuses.
func TestAccountClosedAccountEndsSession(t *testing.T) {
	rg := newRig(t, false)
	rg.h.People = closedPeople{}
	if w := rg.get(t); w.Code != http.StatusSeeOther || len(rg.signIn.signIn) != 1 || rg.signIn.signIn[0] != "/account" {
		t.Errorf("closed account: %d, sign-in %v; want sent to sign in", w.Code, rg.signIn.signIn)
	}
	if _, err := rg.ss.Get(context.Background(), rg.cookie); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the session outlived the account: Get = %v", err)
	}
	if w := rg.get(t); w.Code != http.StatusSeeOther || len(rg.signIn.signIn) != 2 {
		t.Errorf("again: %d, sign-in %v", w.Code, rg.signIn.signIn)
	}
}
