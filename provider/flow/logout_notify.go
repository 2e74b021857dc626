package flow

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/logout"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// LogoutNotifier is told of each session that ends at /logout
// (logout.Notifier): it queues the back-channel logout of the session's
// clients and returns their front-channel logout URLs.
type LogoutNotifier interface {
	SessionEnded(ctx context.Context, e logout.Ended) []string
}

// DefaultFrontChannelWait bounds how long the signed-out page waits for
// the front-channel frames before going on to the client.
const DefaultFrontChannelWait = 5

// notifyLogout tells the notifier, if any, that sess ended.
func (h *Handler) notifyLogout(ctx context.Context, sess session.Session) []string {
	if h.Logouts == nil {
		return nil
	}
	return h.Logouts.SessionEnded(ctx, logout.Ended{Subject: sess.Subject, SID: sess.SID, Clients: slices.Clone(sess.Clients)})
}

// frontChannelPage renders the signed-out page with the clients' logout
// frames (OpenID Connect Front-Channel Logout 1.0 §3). Its policy stays
// the strict one but for frame-src, which names the frames' origins only,
// and script-src 'self' for the script that goes on to returnTo once they
// have loaded; the Refresh header is the bound without script.
func (h *Handler) frontChannelPage(w http.ResponseWriter, lr logoutRequest, frames []string, returnTo string) {
	wait := h.FrontChannelWait
	if wait <= 0 {
		wait = DefaultFrontChannelWait
	}
	w.Header().Set("Content-Security-Policy", templates.ContentSecurityPolicy()+
		"; frame-src "+strings.Join(origins(frames), " ")+"; script-src 'self'")
	if returnTo != "" {
		w.Header().Set("Refresh", strconv.Itoa(wait)+"; url="+returnTo)
	}
	page := templates.LoggedOutPage{Lang: lr.lang, ReturnURI: returnTo, FrontChannel: frames, WaitSeconds: wait}
	if lr.hasClient {
		page.ClientName = templates.PickLang(lr.client.Metadata.ClientName, lr.lang)
	}
	if err := h.Pages.LoggedOut(w, page); err != nil {
		h.Log.Error("render signed-out page", "err", err)
	}
}

// origins are the distinct scheme://host[:port] of urls, for frame-src.
func origins(urls []string) []string {
	var out []string
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			continue
		}
		o := u.Scheme + "://" + u.Host
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}
