package provider

import (
	"errors"
	"strings"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/par"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// PAR configures pushed authorization requests (RFC 9126), served with the
// sign-in and the token endpoint, whose client authentication they share.
type PAR struct {
	// Lifetime of a request_uri (op.par.lifetime); 0 means par.DefaultLifetime.
	Lifetime time.Duration
	// Require refuses authorization requests that were not pushed, for
	// every client (op.par.require).
	Require bool
	// Proof checks a DPoP proof at /par; nil checks none (the DPoP seam).
	Proof par.ProofCheck
}

// newPAR builds /par over the sign-in's rules of authorization requests
// and the token endpoint's client authentication. Without both, no /par.
func (s *Server) newPAR(o Options) error {
	if s.signIn == nil || s.tokenAuth == nil {
		return nil
	}
	if s.pushed == nil {
		return errors.New("provider: pushed requests need the sign-in's store")
	}
	h, err := par.New(par.Options{
		Auth: s.tokenAuth, Parse: s.signIn.Parse, Store: s.pushed,
		Lifetime: o.SignIn.PAR.Lifetime, Proof: o.SignIn.PAR.Proof,
		Log: s.log.With("component", "par"),
	})
	if err != nil {
		return err
	}
	s.par, s.requirePAR = h, o.SignIn.PAR.Require
	return nil
}

// pushedMetadata adds /par (RFC 9126 §5), with its mutual-TLS alias
// (RFC 8705 §5), and the algorithms of JWT introspection responses
// (RFC 9701 §7) to the discovery document.
func (s *Server) pushedMetadata(doc *metadata) {
	if s.token != nil {
		doc.IntrospectionSigningAlgValuesSupported = s.minter.SigningAlgs()
		doc.IntrospectionEncryptionAlgValuesSupported = tokens.EncryptionAlgs()
		doc.IntrospectionEncryptionEncValuesSupported = tokens.EncryptionEncs()
	}
	if s.par == nil {
		return
	}
	doc.PushedAuthorizationRequestEndpoint = s.endpoint("/par")
	doc.RequirePushedAuthorizationRequests = s.requirePAR
	if doc.MTLSEndpointAliases != nil {
		doc.MTLSEndpointAliases["pushed_authorization_request_endpoint"] = strings.TrimSuffix(s.mtlsBase, "/") + "/par"
	}
}
