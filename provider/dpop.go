package provider

import (
	"errors"
	"strings"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/dpop"
)

// DPoP configures DPoP proofs (op.dpop.*); a nil *DPoP in Token is off.
type DPoP struct {
	Algs              []string
	MaxAge, ClockSkew time.Duration
	Nonce             bool
	NonceLifetime     time.Duration
}

// newDPoP builds the proof checker shared by /token and /userinfo (and,
// later, the pushed authorization endpoint). Its replay records go to the
// session store, shared by all instances with Redis; its nonce key comes
// from the key set's secret key, which every instance has.
func (s *Server) newDPoP(o Options) (*dpop.Checker, error) {
	d := o.Token.DPoP
	if d == nil {
		return nil, nil
	}
	var nonceKey []byte
	if d.Nonce {
		secret := o.Keys.Current().SecretKey()
		if len(secret) == 0 {
			return nil, errors.New("provider: DPoP nonces need the key set's secret key")
		}
		nonceKey = dpop.DeriveNonceKey(secret)
	}
	return dpop.New(dpop.Options{
		Algs: d.Algs, MaxAge: d.MaxAge, ClockSkew: d.ClockSkew,
		Nonce: d.Nonce, NonceLifetime: d.NonceLifetime, NonceKey: nonceKey,
		Replay: o.SignIn.KV, Now: clock(o),
	})
}

// endpointURLs are the URLs clients may know an endpoint by: under the
// issuer and, with op.tls.mtlsBaseURL, under the mTLS alias host (the
// URLs discovery publishes). A DPoP proof's htu must name one of them.
func (s *Server) endpointURLs(path string, mtlsBase string) []string {
	urls := []string{s.endpoint(path)}
	if base := strings.TrimSuffix(mtlsBase, "/"); base != "" {
		urls = append(urls, base+path)
	}
	return urls
}

// DPoPChecker is the proof checker, nil when DPoP is off: for the pushed
// authorization endpoint (dpop.Checker.PushedRequest).
func (s *Server) DPoPChecker() *dpop.Checker { return s.dpop }
