package provider

import (
	"errors"

	"github.com/gatehouse-idp/gatehouse/provider/jwtbearer"
)

// JWTBearer configures the JWT bearer grant (RFC 7523 §2.1): the trusted
// issuers of assertions (op.jwtBearer.issuers).
type JWTBearer struct {
	Issuers []jwtbearer.Issuer
}

// newJWTBearer builds the grant, when issuers are configured. Assertions
// must name our token endpoint or our issuer unless an issuer lists its
// own audiences; their jtis are kept in the session store, shared by
// every instance like the client assertions'; the issuers' keys come
// through the fetcher of client keys (deadline, size limit, cache).
func (s *Server) newJWTBearer(o Options) (*jwtbearer.Handler, error) {
	if o.JWTBearer == nil || len(o.JWTBearer.Issuers) == 0 {
		return nil, nil
	}
	if o.SignIn == nil {
		return nil, errors.New("provider: the JWT bearer grant needs the directory of the sign-in")
	}
	people, ok := o.SignIn.Users.(jwtbearer.People)
	if !ok {
		return nil, errors.New("provider: the JWT bearer grant needs a directory that finds people by name")
	}
	return jwtbearer.New(jwtbearer.Options{
		Issuers: o.JWTBearer.Issuers, DefaultAudiences: []string{s.endpoint("/token"), s.issuer.String()},
		Keys: s.fetcher, Replay: o.SignIn.KV, People: people, Now: clock(o),
	})
}
