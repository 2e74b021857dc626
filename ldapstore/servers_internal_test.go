package ldapstore

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{0, 200 * time.Millisecond},
		{1, 200 * time.Millisecond},
		{2, 400 * time.Millisecond},
		{4, 1600 * time.Millisecond},
		{5, 3 * time.Second},
		{50, 3 * time.Second},
	}
	for _, tc := range tests {
		if got := backoff(tc.failures); got != tc.want {
			t.Errorf("backoff(%d) = %v, want %v", tc.failures, got, tc.want)
		}
	}
}

// Failures of the kinds the pool meets.
var (
	errRefused = ldap.NewError(ldap.ErrorNetwork, errors.New("dial tcp: connect: connection refused"))
	errTimeout = ldap.NewError(ldap.ErrorNetwork, errors.New("ldap: connection timed out"))
)

// breaker is a servers on two URLs with a clock the test moves.
type breaker struct {
	*servers
	clock time.Time
	logs  *strings.Builder
}

func newBreaker() *breaker {
	b := &breaker{clock: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), logs: &strings.Builder{}}
	b.servers = newServers([]string{"ldap://a", "ldap://b"}, slog.New(slog.NewTextHandler(b.logs, nil)))
	b.now = func() time.Time { return b.clock }
	return b
}

func (b *breaker) fail(i int, err error) {
	epoch, _ := b.isUp(i)
	b.failed(i, epoch, err, b.clock)
}

func TestBreakerRefusedServerIsTriedAfterBackoff(t *testing.T) {
	b := newBreaker()
	b.fail(0, errRefused)
	if _, up := b.isUp(0); up {
		t.Fatal("a refusing server stays up")
	}
	if got := b.order(nil); fmt.Sprint(got) != "[1 0]" {
		t.Errorf("order = %v, want the server that is up first", got)
	}
	if _, ok := b.admit(0); ok {
		t.Error("admitted before the backoff passed")
	}
	b.clock = b.clock.Add(trialBackoff)
	if _, ok := b.admit(0); !ok {
		t.Fatal("no trial after the backoff")
	}
	if _, ok := b.admit(0); ok {
		t.Error("a second trial while the first runs")
	}
	epoch, _ := b.isUp(0)
	b.answered(0, epoch)
	if s := b.states()[0]; !s.Up || s.Failures != 0 || s.LastError == "" {
		t.Errorf("after a trial that answered: %+v", s)
	}
	if n := strings.Count(b.logs.String(), "level=WARN"); n != 2 {
		t.Errorf("%d warnings, want one down and one up:\n%s", n, b.logs)
	}
}

func TestBreakerHungServerWaitsForTheProbe(t *testing.T) {
	b := newBreaker()
	b.fail(0, errTimeout)
	b.fail(0, errTimeout) // a probe, later
	b.clock = b.clock.Add(time.Hour)
	if _, ok := b.admit(0); ok {
		t.Error("a hung server admitted a trial")
	}
	if s := b.states()[0]; s.Up || s.Failures != 2 {
		t.Errorf("state: %+v", s)
	}
}

func TestBreakerIgnores(t *testing.T) {
	tests := []struct {
		name string
		fail func(b *breaker)
	}{
		{"a failure on a connection from before the server went down", func(b *breaker) {
			epoch, _ := b.isUp(0)
			b.fail(0, errRefused)
			b.answered(0, epoch+1) // a trial: up again
			b.failed(0, epoch, errRefused, b.clock)
		}},
		{"a timeout while the server answered others", func(b *breaker) {
			start := b.clock
			b.clock = b.clock.Add(time.Second)
			epoch, _ := b.isUp(0)
			b.answered(0, epoch)
			b.failed(0, epoch, errTimeout, start)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBreaker()
			tc.fail(b)
			if _, up := b.isUp(0); !up {
				t.Errorf("server down: %+v", b.states()[0])
			}
		})
	}
}

func TestBreakerRefusal(t *testing.T) {
	b := newBreaker()
	if err := b.refusal(); err != nil {
		t.Fatalf("refusal with both up: %v", err)
	}
	b.fail(0, errTimeout)
	b.fail(1, errRefused)
	err := b.refusal()
	if err == nil || !strings.Contains(err.Error(), "ldap://a") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("refusal with both down = %v, want both named with their causes", err)
	}
	b.clock = b.clock.Add(trialBackoff)
	if err := b.refusal(); err != nil {
		t.Errorf("refusal with a trial due: %v", err)
	}
}
