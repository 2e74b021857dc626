package main

import (
	"fmt"
	"strings"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider"
	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/provider/profile"
	"github.com/gatehouse-idp/gatehouse/provider/registration"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
)

// registry is what client registration runs on: the store in the
// directory, the secret codec and its verifier, and the settings.
type registry struct {
	store    *ldapstore.Clients
	codec    *secrets.Codec
	verifier *secrets.Verifier
	config   registration.Config
}

// The directory's client store is the registry the provider asks for.
var _ registration.ClientStore = (*ldapstore.Clients)(nil)

// newRegistry builds the client registry: secrets hashed with the
// configured Argon2id cost and encrypted under the key set's AES key.
func newRegistry(cfg *conf.Config, pool *ldapstore.Pool, keys *keyset.Set) (*registry, error) {
	codec, err := secrets.New(secrets.Params(cfg.OP.Secrets.Argon2id), keys.SecretKey(), keys.SecretKeyID())
	if err != nil {
		return nil, asUsage(fmt.Errorf("op.secrets: %w", err))
	}
	store, err := ldapstore.NewClients(pool, cfg.LDAP.Clients.BaseDN)
	if err != nil {
		return nil, asUsage(fmt.Errorf("ldap.clients.baseDN: %w", err))
	}
	return &registry{
		store:    store,
		codec:    codec,
		verifier: secrets.NewVerifier(codec, secrets.VerifierOptions{}),
		config:   withOpenPrivate(registrationConfig(cfg.OP), cfg.OP),
	}, nil
}

func registrationConfig(op conf.OP) registration.Config {
	return registration.Config{
		MasterTokenSHA256:     op.Reg.MasterTokenSHA256,
		AllowOpenRegistration: op.Reg.AllowOpenRegistration,
		SecretRolloverWindow:  op.Reg.SecretRolloverWindow,
		Policy: registration.Policy{
			AuthMethods:  op.Token.AuthMethods,
			AuthzJWSAlgs: op.Authz.ResponseJWSAlgs,
			AuthzJWEAlgs: op.Authz.ResponseJWEAlgs,
			AuthzJWEEncs: op.Authz.ResponseJWEEncs,
			Profile:      profile.Policy{Deployment: op.Profile},
		},
	}
}

// providerOptions adds the registry to o.
func (r *registry) providerOptions(o provider.Options) provider.Options {
	o.Clients = r.store
	o.SecretCodec, o.SecretVerifier = r.codec, r.verifier
	o.Registration = r.config
	return o
}

// service is the registration service for the shell, answering as the
// registration endpoint under issuer would.
func (r *registry) service(issuer string) (*registration.Service, error) {
	return registration.NewService(registration.Options{
		Store: r.store, Codec: r.codec, Verifier: r.verifier,
		Config: r.config, Endpoint: strings.TrimSuffix(issuer, "/") + "/clients",
		Sectors: &authorize.HTTPFetcher{},
	})
}
