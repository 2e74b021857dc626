package flow

import (
	"errors"
	"net/http"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
)

// The stores a sign-in depends on, named in the log when one fails, so
// that an operator knows where to look; the person is only ever told to
// try again later.
const (
	storeSessions  = "session store"
	storeDirectory = "directory"
)

// outage answers a request whose store failed with temporarily_unavailable
// at the client's redirect URI, and logs which store it was.
func (h *Handler) outage(w http.ResponseWriter, r *http.Request, req authorize.Request, store string, err error) {
	h.logOutage(store, err, "client_id", req.ClientID)
	h.reply(w, r, req.ErrorResponse(unavailable(err)))
}

// outagePage answers a store's failure with the "try again later" page,
// for steps that have no redirect URI to answer at.
func (h *Handler) outagePage(w http.ResponseWriter, r *http.Request, store string, err error) {
	h.logOutage(store, err)
	h.page(w, r, http.StatusServiceUnavailable, "unavailable", "temporarily_unavailable")
}

func (h *Handler) logOutage(store string, err error, attrs ...any) {
	h.Log.Error("sign-in: "+store+" unavailable", append([]any{"store", store, "err", err}, attrs...)...)
}

// storeError is the failure of one named store, for steps that ask
// several.
type storeError struct {
	store string
	err   error
}

func (e *storeError) Error() string { return e.store + ": " + e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// failedStore names the store behind err; the session store when err does
// not say.
func failedStore(err error) string {
	if se, ok := errors.AsType[*storeError](err); ok {
		return se.store
	}
	return storeSessions
}
