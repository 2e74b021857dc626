package ldapstore_test

import (
	"testing"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// BenchmarkUsersLogin signs carol in against OpenLDAP as the login page
// does: one search, one bind as her, one group search. A wrong password
// costs the search and the bind.
func BenchmarkUsersLogin(b *testing.B) {
	d := openLDAPWithPeople(b, ldaptest.Options{})
	p := populate(b, d)
	u := p.users(b, p.config())
	for _, bc := range []struct {
		name     string
		password string
		want     oauth.LoginOutcome
	}{
		{name: "right-password", password: passwords["carol"], want: oauth.LoginOK},
		{name: "wrong-password", password: "wrong", want: oauth.LoginInvalid},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, outcome, err := u.Login(b.Context(), "carol", bc.password); err != nil || outcome != bc.want {
					b.Fatalf("Login = %v, %v", outcome, err)
				}
			}
		})
		b.Run(bc.name+"-parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, outcome, err := u.Login(b.Context(), "carol", bc.password); err != nil || outcome != bc.want {
						b.Errorf("Login = %v, %v", outcome, err)
						return
					}
				}
			})
		})
	}
}
