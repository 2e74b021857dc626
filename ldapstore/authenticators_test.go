package ldapstore_test

import (
	"testing"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/conformance"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

var _ conformance.AuthenticatorStore = (*ldapstore.Authenticators)(nil)

func (d directory) authnBackend(t *testing.T) conformance.AuthenticatorBackend {
	base := ldaptest.Subtree(t, d.conn, suffix)
	s, err := ldapstore.NewAuthenticators(d.pool(t, 4), base)
	if err != nil {
		t.Fatal(err)
	}
	return conformance.AuthenticatorBackend{Store: s, BaseDN: base, Dir: d.conn}
}

func TestAuthenticatorStoreOpenLDAP(t *testing.T) {
	t.Parallel()
	conformance.RunAuthenticatorStoreTests(t, openLDAP(t).authnBackend) // with the shipped schema
}

func TestAuthenticatorStoreEmbedded(t *testing.T) {
	t.Parallel()
	conformance.RunAuthenticatorStoreTests(t, embeddedDirectory(t).authnBackend)
}
