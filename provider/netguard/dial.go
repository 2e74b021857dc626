package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrNonPublic is the error of a dial the guard refused; it is found
// with errors.Is through the url.Error and net.OpError around it. No
// retry mends it, short of the client changing its URL.
var ErrNonPublic = errors.New("netguard: not a public address")

// Control is a net.Dialer Control function that refuses a connection
// to any address that is not Public. It runs for each address dialled,
// after name resolution, so a name that resolves (or is rebound) to an
// internal address is refused too.
func Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s %q cannot be judged", ErrNonPublic, network, address)
	}
	if !Public(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrNonPublic, ap.Addr())
	}
	return nil
}

// Dialer is a net.Dialer whose every connection passes Control.
func Dialer() *net.Dialer {
	return &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: Control}
}

// Transport is an HTTP transport over Dialer with its own pool of
// connections (a connection made for an unguarded request is never
// reused for a guarded one) and no proxy: through a proxy the address
// dialled would be the proxy's, and the guard would judge nothing.
func Transport() *http.Transport {
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           Dialer().DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// Client is an HTTP client over Transport that follows no redirect:
// what is fetched or posted is for the registered URL only.
func Client() *http.Client {
	return &http.Client{Transport: Transport(), CheckRedirect: noRedirect}
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

type publicOnlyKey struct{}

// WithPublicOnly marks ctx: a fetch made with it is on behalf of a
// client whose URLs must only reach public addresses, and takes the
// guarded client. The mark selects a client; it is not itself the
// guard (a shared pool could hand over a connection made unguarded).
func WithPublicOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, publicOnlyKey{}, true)
}

// PublicOnly tells whether ctx was marked by WithPublicOnly.
func PublicOnly(ctx context.Context) bool {
	v, _ := ctx.Value(publicOnlyKey{}).(bool)
	return v
}

// Guard marks ctx with WithPublicOnly when publicOnly holds, as for a
// client registered openly (oauth.Metadata.OpenlyRegistered).
func Guard(ctx context.Context, publicOnly bool) context.Context {
	if publicOnly {
		return WithPublicOnly(ctx)
	}
	return ctx
}
