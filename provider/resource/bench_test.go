package resource

import (
	"net/http"
	"net/url"
	"testing"
)

// BenchmarkIntrospect asks about one active token again and again, as a
// resource server does: cold parses and verifies it every time (the
// cache off), warm finds its claims in the cache. Both authenticate the
// client (a cached secret check) and read the revocation list.
func BenchmarkIntrospect(b *testing.B) {
	for _, bc := range []struct {
		name string
		size int
	}{{"cold", -1}, {"warm", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			e := newEnv(b, func(o *Options) { o.TokenCacheSize = bc.size })
			form := url.Values{"token": {e.accessToken(rp, "openid")}}
			b.ReportAllocs()
			for b.Loop() {
				if rec := do(e.handler.Introspect, clientPost("/token/introspect", rp, form)); rec.Code != http.StatusOK {
					b.Fatalf("introspection: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
