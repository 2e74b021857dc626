package ldapstore_test

import (
	"testing"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/conformance"
)

// BenchmarkClientsGet reads one fully populated client, as the token
// endpoint does on every request, from OpenLDAP and from the cache.
func BenchmarkClientsGet(b *testing.B) {
	d := openLDAP(b)
	for _, bc := range []struct {
		name string
		opts []ldapstore.ClientsOption
	}{
		{name: "uncached", opts: []ldapstore.ClientsOption{ldapstore.WithCacheTTL(0)}},
		{name: "cached", opts: nil}, // the default TTL outlasts the run
	} {
		b.Run(bc.name, func(b *testing.B) {
			s, _ := d.store(b, bc.opts...)
			if _, err := s.Create(b.Context(), conformance.FullClient("bench")); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Get(b.Context(), "bench"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.name+"-parallel", func(b *testing.B) {
			s, _ := d.store(b, bc.opts...)
			if _, err := s.Create(b.Context(), conformance.FullClient("bench")); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.Get(b.Context(), "bench"); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
