package embedded

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/go-ldap/ldap/v3"
	"github.com/jimlambrt/gldap"
)

// handler answers LDAP requests. Its fields are everything a request needs.
type handler struct {
	dir        *directory
	identities *identities
	admin      adminCredential
	log        *slog.Logger
}

// newMux routes every operation gldap understands to the handler.
func newMux(h *handler) (*gldap.Mux, error) {
	mux, err := gldap.NewMux()
	if err != nil {
		return nil, err
	}
	routes := []func() error{
		func() error { return mux.Bind(h.bind) },
		func() error { return mux.Search(h.search) },
		func() error { return mux.Add(h.result(gldap.ApplicationAddResponse, h.serveAdd)) },
		func() error { return mux.Modify(h.result(gldap.ApplicationModifyResponse, h.serveModify)) },
		func() error { return mux.Delete(h.result(gldap.ApplicationDelResponse, h.serveDelete)) },
		func() error { return mux.DefaultRoute(h.unsupported) },
	}
	for _, add := range routes {
		if err := add(); err != nil {
			return nil, err
		}
	}
	return mux, nil
}

// result adapts an operation whose answer is a bare LDAP result.
func (h *handler) result(app int, serve func(*gldap.Request, identity) error) gldap.HandlerFunc {
	return func(w *gldap.ResponseWriter, r *gldap.Request) {
		who := h.identities.get(r.ConnectionID())
		err := h.safely(func() error { return serve(r, who) })
		code, msg, matched := resultOf(err)
		h.send(w, r.NewResponse(
			gldap.WithApplicationCode(app),
			gldap.WithResponseCode(code),
			gldap.WithDiagnosticMessage(msg),
			gldap.WithMatchedDN(matched),
		))
	}
}

// safely runs fn, turning a panic into an "other" result. gldap serves each
// request on a goroutine of its own without recovering, so a panic that
// escaped here would end the whole process, not just the request.
func (h *handler) safely(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("embedded directory: request failed", "panic", fmt.Sprint(p))
			err = fail(ldap.LDAPResultOther, "internal error")
		}
	}()
	err = fn()
	var re *resultError
	if err != nil && !errors.As(err, &re) {
		h.log.Error("embedded directory: request failed", "err", err)
	}
	return err
}

// unsupported answers extended operations gldap passes on but the
// directory does not implement (RFC 4511 §4.12: protocolError).
func (h *handler) unsupported(w *gldap.ResponseWriter, r *gldap.Request) {
	resp := r.NewExtendedResponse(gldap.WithResponseCode(ldap.LDAPResultProtocolError))
	resp.SetDiagnosticMessage("operation not supported")
	h.send(w, resp)
}

// send writes one response and reports whether the client could take it.
func (h *handler) send(w *gldap.ResponseWriter, resp gldap.Response) bool {
	if err := w.Write(resp); err != nil {
		h.log.Debug("embedded directory: writing a response", "err", err)
		return false
	}
	return true
}

// checkControls refuses a request carrying a critical control the directory
// does not implement (RFC 4511 §4.1.11). The paged results control is
// handled by search; gldap decodes it into its own type.
func checkControls(controls []gldap.Control) error {
	for _, c := range controls {
		if s, ok := c.(*gldap.ControlString); ok && s.Criticality {
			return fail(ldap.LDAPResultUnavailableCriticalExtension, "unsupported critical control %s", s.ControlType)
		}
	}
	return nil
}
