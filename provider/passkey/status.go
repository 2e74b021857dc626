package passkey

import (
	"context"
	"net/http"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// accountRefusal asks the directory whether subject's account may sign
// in at all. A passkey sign-in never binds as the person, so the
// directory's lock, disablement or expiry (which a password bind would
// meet) must be asked for: without this a locked person's passkey would
// still let them in. Anything but LoginOK refuses; err is an outage.
func accountRefusal(ctx context.Context, people People, subject string) (oauth.LoginOutcome, bool, error) {
	outcome, err := people.AccountStatus(ctx, subject)
	if err != nil {
		return oauth.LoginInvalid, true, err
	}
	return outcome, outcome != oauth.LoginOK, nil
}

// admitted checks the account after a good assertion; a refused one gets
// the login page with the message a password sign-in shows for the same
// state (Options.Refuse), an outage the "try again later" page.
func (h *Handler) admitted(w http.ResponseWriter, r *http.Request, flowID, lang string, user oauth.User) bool {
	outcome, refused, err := accountRefusal(r.Context(), h.People, user.Subject)
	switch {
	case err != nil:
		h.failed(w, lang, err)
	case refused:
		h.Log.Info("passkey sign-in refused", "sub", user.Subject, "why", "account may not sign in")
		h.Refuse(w, r, flowID, user, outcome)
	}
	return err == nil && !refused
}
