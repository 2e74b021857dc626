package provider

import (
	"errors"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/device"
	"github.com/gatehouse-idp/gatehouse/provider/jwtbearer"
	"github.com/gatehouse-idp/gatehouse/provider/throttle"
	"github.com/gatehouse-idp/gatehouse/provider/token"
)

// Device configures the device authorization grant (RFC 8628).
type Device struct {
	// Lifetime and Interval are op.device.lifetime and op.device.interval.
	Lifetime, Interval time.Duration
}

// newDevice builds /device_authorization, the /device page and the device
// grant. It needs the sign-in (sessions, login) and the client
// authenticator of the token endpoint.
func (s *Server) newDevice(o Options) error {
	if o.Device == nil {
		return nil
	}
	if s.signIn == nil || s.tokenAuth == nil {
		return errors.New("provider: the device grant needs the sign-in and the token endpoint")
	}
	var err error
	s.device, err = device.New(device.Options{
		KV: o.SignIn.KV, Auth: s.tokenAuth, Clients: s.clientLookup(o), Sessions: s.signIn, Pages: s.pages,
		Throttle:        throttle.NewCounterOn(o.SignIn.KV, "device", throttle.Options{}),
		CSRFKey:         derive(o.Keys.Current().SecretKey(), "gatehouse device csrf v1"),
		VerificationURI: s.endpoint("/device"), PagePath: s.issuer.Path + "/device",
		Lifetime: o.Device.Lifetime, Interval: o.Device.Interval,
		Log: s.log.With("component", "device"), Now: clock(o),
	})
	return err
}

// outsideGrants are the grants of other packages that the token endpoint
// serves.
func (s *Server) outsideGrants() map[string]token.Grant {
	grants := map[string]token.Grant{}
	if s.device != nil {
		grants[device.GrantType] = s.device.Grant
	}
	if s.jwtBearer != nil {
		grants[jwtbearer.GrantType] = s.jwtBearer.Grant
	}
	return grants
}
