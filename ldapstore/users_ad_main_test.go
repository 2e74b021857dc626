package ldapstore_test

import (
	"testing"

	"github.com/gatehouse-idp/gatehouse/ldapstore/adtest"
)

// TestMain lets the tests of this package share one Samba AD domain
// controller (adtest.Shared), started on first use and stopped when they
// are done: each start costs seconds. Tests that need no DC are not
// affected.
func TestMain(m *testing.M) { adtest.Main(m) }
