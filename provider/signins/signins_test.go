package signins

import (
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func person(sub string) oauth.User {
	return oauth.User{Subject: sub, Claims: map[string]any{"name": "Person " + sub}}
}

func TestTakeOnceWithinTheWindow(t *testing.T) {
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	r := New(10*time.Second, 0, c.now)
	r.Remember(person("alice"))
	c.t = c.t.Add(9 * time.Second)
	u, ok := r.Take("alice")
	if !ok || u.Subject != "alice" || u.Claims["name"] != "Person alice" {
		t.Fatalf("take within the window: %v %v", u, ok)
	}
	if _, ok := r.Take("alice"); ok {
		t.Error("taken twice")
	}
	r.Remember(person("bob"))
	if u, ok := r.Peek("bob"); !ok || u.Subject != "bob" {
		t.Errorf("peek: %v %v", u, ok)
	}
	if _, ok := r.Take("bob"); !ok {
		t.Error("a peek took the person away")
	}
	r.Remember(person("carol"))
	c.t = c.t.Add(10 * time.Second)
	if _, ok := r.Peek("carol"); ok {
		t.Error("peeked past the window")
	}
	if _, ok := r.Take("bob"); ok {
		t.Error("a person never remembered was taken")
	}
}

func TestTakeRefusesOldAndFutureEntries(t *testing.T) {
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	r := New(10*time.Second, 0, c.now)
	tests := []struct {
		name  string
		shift time.Duration
		want  bool
	}{
		{name: "at once", shift: 0, want: true},
		{name: "just inside", shift: 10*time.Second - time.Nanosecond, want: true},
		{name: "at the end of the window", shift: 10 * time.Second, want: false},
		{name: "long after", shift: time.Hour, want: false},
		{name: "clock gone back", shift: -time.Second, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := c.t
			r.Remember(person("alice"))
			c.t = start.Add(tc.shift)
			if _, ok := r.Take("alice"); ok != tc.want {
				t.Errorf("take after %v: %v, want %v", tc.shift, ok, tc.want)
			}
			if r.Len() != 0 {
				t.Errorf("%d entries left after a take", r.Len())
			}
			c.t = start
		})
	}
}

func TestBounded(t *testing.T) {
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	r := New(10*time.Second, 3, c.now)
	for i := range 10 {
		r.Remember(person(fmt.Sprint("p", i)))
		if r.Len() > 3 {
			t.Fatalf("%d entries, bound 3", r.Len())
		}
	}
	if _, ok := r.Take("p9"); !ok {
		t.Error("the newest person was pushed out")
	}
	// Expired entries make room before live ones.
	r = New(10*time.Second, 2, c.now)
	r.Remember(person("old"))
	c.t = c.t.Add(time.Minute)
	r.Remember(person("a"))
	r.Remember(person("b"))
	if _, ok := r.Take("a"); !ok {
		t.Error("a live entry was dropped while an expired one stayed")
	}
	r.Remember(oauth.User{})
	if r.Len() != 1 {
		t.Errorf("a person without a subject was kept: %d entries", r.Len())
	}
}

func TestConcurrentUse(t *testing.T) {
	r := New(0, 100, nil)
	done := make(chan struct{})
	for w := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 1000 {
				sub := fmt.Sprint("w", w, "-", i%150)
				r.Remember(person(sub))
				r.Take(sub)
			}
		}()
	}
	for range 4 {
		<-done
	}
	if r.Len() > 100 {
		t.Errorf("%d entries, bound 100", r.Len())
	}
}
