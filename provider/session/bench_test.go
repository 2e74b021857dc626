package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/session"
)

func BenchmarkSessionsGet(b *testing.B) {
	m, clock := newMemory(b, session.MemoryOptions{})
	ss := session.NewSessions(m, lifetime, idle, clock.Now)
	ctx := context.Background()
	s, err := ss.Create(ctx, session.Session{Subject: "7c1d", AMR: []string{"pwd"}, Clients: []string{"rp"}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ss.Get(ctx, s.ID); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCodesIssueRedeem(b *testing.B) {
	m, clock := newMemory(b, session.MemoryOptions{})
	cs := session.NewCodes(m, clock.Now)
	ctx := context.Background()
	g := sampleGrant()
	b.ReportAllocs()
	for b.Loop() {
		code, err := cs.Issue(ctx, g, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := cs.Redeem(ctx, code); err != nil {
			b.Fatal(err)
		}
		// The replay markers pile up for a minute of fake time; let them go
		// so the store measures steady state rather than filling up.
		clock.Advance(time.Minute)
	}
}
