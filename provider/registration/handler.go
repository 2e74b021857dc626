package registration

import (
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// MaxBodySize bounds a registration request body: far more than any real
// registration needs, small enough that no one can make the server buffer
// much.
const MaxBodySize = oauth.MaxRegistrationBody

// PathVar is the route variable that holds the client ID in
// /clients/{client_id}.
const PathVar = "client_id"

// Handler serves the registration endpoints over a Service. Its methods
// are the handlers the router mounts.
type Handler struct {
	svc *Service
	log *slog.Logger
	// Audit hears of registrations created, updated and deleted, and of
	// secrets rolled over; nil records nothing. Set it before serving.
	Audit audit.Recorder
}

// NewHandler returns the HTTP face of svc.
func NewHandler(svc *Service, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{svc: svc, log: log}
}

// Register serves POST /clients (RFC 7591 §3.1): 201 with the client
// information.
func (h *Handler) Register(w http.ResponseWriter, r *http.Request) {
	token := bearerToken(r)
	who, err := h.svc.AuthorizeCollection(r.Context(), token, true)
	if err != nil {
		h.fail(w, r, err, token != "")
		return
	}
	req, err := readRequest(w, r)
	if err != nil {
		h.fail(w, r, err, true)
		return
	}
	info, err := h.svc.Create(r.Context(), req, who)
	if err != nil {
		h.fail(w, r, err, true)
		return
	}
	h.log.Info("client registered", "client_id", info.Client.ID, "by", who.String())
	h.audit(r, audit.TypeClientCreated, info.Client.ID, who)
	h.write(w, r, http.StatusCreated, info)
}

// List serves GET /clients: every client, as a JSON array written while
// the store is read, so that memory does not grow with the registry.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) {
	token := bearerToken(r)
	if _, err := h.svc.AuthorizeCollection(r.Context(), token, false); err != nil {
		h.fail(w, r, err, token != "")
		return
	}
	started := false
	for info, err := range h.svc.List(r.Context()) {
		if errors.Is(err, ErrUnreadable) {
			h.log.Warn("client left out of the list", "err", err)
			continue
		}
		if err == nil {
			var b []byte
			b, err = info.MarshalJSON()
			if err == nil {
				sep := ","
				if !started {
					noStore(w, http.StatusOK)
					sep, started = "[", true
				}
				_, err = io.WriteString(w, sep+string(b))
			}
		}
		if err == nil {
			continue
		}
		if !started {
			h.fail(w, r, err, true)
			return
		}
		// Half an array is out with a 200: breaking the connection is the
		// only way left to tell the client the list is incomplete.
		h.log.Error("listing clients failed midway", "err", err)
		panic(http.ErrAbortHandler)
	}
	if !started {
		noStore(w, http.StatusOK)
		_, _ = io.WriteString(w, "[]\n")
		return
	}
	_, _ = io.WriteString(w, "]\n")
}

// Read serves GET /clients/{client_id} (RFC 7592 §2.1).
func (h *Handler) Read(w http.ResponseWriter, r *http.Request) {
	id, _, ok := h.authorize(w, r)
	if !ok {
		return
	}
	info, err := h.svc.Get(r.Context(), id)
	if err != nil {
		h.fail(w, r, err, true)
		return
	}
	h.write(w, r, http.StatusOK, info)
}

// Replace serves PUT /clients/{client_id} (RFC 7592 §2.2).
func (h *Handler) Replace(w http.ResponseWriter, r *http.Request) {
	id, who, ok := h.authorize(w, r)
	if !ok {
		return
	}
	req, err := readRequest(w, r)
	if err != nil {
		h.fail(w, r, err, true)
		return
	}
	info, err := h.svc.Replace(r.Context(), id, req, who)
	if err != nil {
		h.fail(w, r, err, true)
		return
	}
	h.log.Info("client updated", "client_id", id, "by", who.String(), "new_secret", info.Secret != "")
	h.audit(r, audit.TypeClientUpdated, id, who)
	if info.Secret != "" {
		h.audit(r, audit.TypeClientSecretRotated, id, who)
	}
	h.write(w, r, http.StatusOK, info)
}

// Delete serves DELETE /clients/{client_id} (RFC 7592 §2.3): 204.
func (h *Handler) Delete(w http.ResponseWriter, r *http.Request) {
	id, who, ok := h.authorize(w, r)
	if !ok {
		return
	}
	if err := h.svc.Delete(r.Context(), id); err != nil {
		h.fail(w, r, err, true)
		return
	}
	h.log.Info("client deleted", "client_id", id, "by", who.String())
	h.audit(r, audit.TypeClientDeleted, id, who)
	noStore(w, http.StatusNoContent)
}

// authorize checks the token for the entry in the path; when it fails the
// answer has been written.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) (string, Access, bool) {
	id := mux.Vars(r)[PathVar]
	token := bearerToken(r)
	who, err := h.svc.AuthorizeEntry(r.Context(), token, id)
	if err != nil {
		h.fail(w, r, err, token != "")
		return "", 0, false
	}
	return id, who, true
}

// bearerToken is the token of an "Authorization: Bearer" header (RFC 6750
// §2.1; the scheme is case-insensitive), or "".
func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// readRequest checks the content type and size of the body and parses it.
func readRequest(w http.ResponseWriter, r *http.Request) (*Request, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, oauth.ErrInvalidRequest().WithDescription("the request body must be application/json").
			WithStatus(http.StatusUnsupportedMediaType)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodySize))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, oauth.ErrInvalidRequest().WithDescription("the request body exceeds 64 KiB").
			WithStatus(http.StatusRequestEntityTooLarge)
	case err != nil:
		return nil, oauth.ErrInvalidRequest().WithDescription("the request body could not be read").WithCause(err)
	}
	return ParseRequest(body)
}

func (h *Handler) write(w http.ResponseWriter, r *http.Request, status int, info ClientInfo) {
	b, err := info.MarshalJSON()
	if err != nil {
		h.fail(w, r, oauth.ErrServerError().WithCause(err), true)
		return
	}
	noStore(w, status)
	_, _ = w.Write(append(b, '\n'))
}

// noStore writes the headers of a JSON answer that holds credentials
// (RFC 7591 §3.2.1 asks for no caching).
func noStore(w http.ResponseWriter, status int) {
	h := w.Header()
	if status != http.StatusNoContent {
		h.Set("Content-Type", "application/json")
	}
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
}

// fail writes err as an OAuth error; an unauthorised answer carries the
// RFC 6750 §3 challenge.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error, tokenPresented bool) {
	var oe *oauth.Error
	if !errors.As(err, &oe) {
		oe = oauth.ErrServerError().WithCause(err)
	}
	switch {
	case oe.Status >= http.StatusInternalServerError:
		h.log.Error("client registration failed", "method", r.Method, "path", r.URL.Path, "err", oe)
	case oe.Status == http.StatusUnauthorized || oe.Status == http.StatusForbidden:
		w.Header().Set("WWW-Authenticate", oe.BearerChallenge(tokenPresented))
	}
	oe.WriteJSON(w)
}

func (a Access) String() string {
	switch a {
	case Open:
		return "open registration"
	case Self:
		return "registration access token"
	case Master:
		return "master token"
	}
	return "nobody"
}
