package ldapstore_test

import (
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/adtest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// LDAPS and StartTLS to the DC through the real pool, trusting the DC's
// CA (ldap.caFile); a pool trusting another CA refuses the DC — StartTLS
// included: it never carries on in the clear — and says why.
func TestADTLS(t *testing.T) {
	t.Parallel()
	d := adtest.Shared(t)
	tests := []struct {
		name string
		pool ldapstore.PoolConfig
		ok   bool
	}{
		{"ldaps", ldapstore.PoolConfig{URLs: []string{d.LDAPSURL}, CAFile: d.CAFile}, true},
		{"StartTLS", ldapstore.PoolConfig{URLs: []string{d.URL}, StartTLS: true, CAFile: d.CAFile}, true},
		{"ldaps, wrong CA", ldapstore.PoolConfig{URLs: []string{d.LDAPSURL}, CAFile: d.WrongCAFile}, false},
		{"StartTLS, wrong CA", ldapstore.PoolConfig{URLs: []string{d.URL}, StartTLS: true, CAFile: d.WrongCAFile}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := adUsers(t, d, tc.pool, adConfig(t, d), nil)
			user, outcome, err := u.Login(t.Context(), adtest.Alice, adtest.Password(adtest.Alice))
			if tc.ok {
				if err != nil || outcome != oauth.LoginOK || user.Claims["preferred_username"] != adtest.Alice {
					t.Fatalf("Login = %+v, %v, %v", user, outcome, err)
				}
				return
			}
			wantUnavailable(t, "Login", err)
			// Go's own words, which the log shows with the server's URL:
			// "tls: failed to verify certificate: x509: certificate
			// signed by unknown authority".
			for _, words := range []string{tc.pool.URLs[0], "failed to verify certificate", "unknown authority"} {
				if err == nil || !strings.Contains(err.Error(), words) {
					t.Errorf("the error does not say %q: %v", words, err)
				}
			}
		})
	}
}
