// Package signins remembers, for a few seconds, the person a password
// sign-in has just read from the directory, so that the redemption of
// the code that sign-in led to need not read them again: one directory
// search fewer per first sign-in (docs/performance.md, "Round trips of a
// sign-in").
//
// What is kept is what the directory answered while it accepted the
// person's password, at most Window old (10 s by default; a code lives
// longer than that only when its client is slow to redeem it), taken at
// most once, and only by this instance: a code redeemed elsewhere, late
// or a second time reads the directory as before. A token issued from
// it carries the claims as they were at the sign-in, seconds earlier —
// an account disabled or deleted in between is seen by the next refresh
// or UserInfo call, not by this one redemption. A read nobody takes (a
// code redeemed elsewhere, a sign-in for one of our own pages) stays
// until the bound pushes it out: DefaultSize entries of a few hundred
// bytes at most.
package signins

import (
	"sync"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Defaults of Recent.
const (
	// DefaultWindow is how long a sign-in's read of the person is reused.
	DefaultWindow = 10 * time.Second
	// DefaultSize bounds the people remembered at once (a few hundred
	// bytes each); past it an arbitrary one is dropped.
	DefaultSize = 10000
)

// Recent is the memory of people just signed in, by subject. Safe for
// concurrent use; the zero value is not usable (New).
type Recent struct {
	window time.Duration
	size   int
	now    func() time.Time

	mu     sync.Mutex
	people map[string]entry
}

type entry struct {
	user oauth.User
	at   time.Time
}

// New returns a Recent keeping each person for window (≤ 0: DefaultWindow),
// at most size at once (≤ 0: DefaultSize), on the clock now (nil: time.Now).
func New(window time.Duration, size int, now func() time.Time) *Recent {
	if window <= 0 {
		window = DefaultWindow
	}
	if size <= 0 {
		size = DefaultSize
	}
	if now == nil {
		now = time.Now
	}
	return &Recent{window: window, size: size, now: now, people: make(map[string]entry)}
}

// Remember keeps u, as a sign-in just read them. A person without a
// subject is not kept.
func (r *Recent) Remember(u oauth.User) {
	if u.Subject == "" {
		return
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.people[u.Subject]; !ok && len(r.people) >= r.size {
		r.dropOne(now)
	}
	r.people[u.Subject] = entry{user: u, at: now}
}

// Take returns the person remembered under subject when they signed in
// within the window, and forgets them either way: each read is reused
// once at most.
func (r *Recent) Take(subject string) (oauth.User, bool) {
	now := r.now()
	r.mu.Lock()
	e, ok := r.people[subject]
	if ok {
		delete(r.people, subject)
	}
	r.mu.Unlock()
	if !ok || !r.fresh(e, now) {
		return oauth.User{}, false
	}
	return e.user, true
}

// Peek returns the person remembered under subject when they signed in
// within the window, and leaves them for Take: a page that only shows
// their name between the sign-in and the code.
func (r *Recent) Peek(subject string) (oauth.User, bool) {
	now := r.now()
	r.mu.Lock()
	e, ok := r.people[subject]
	r.mu.Unlock()
	if !ok || !r.fresh(e, now) {
		return oauth.User{}, false
	}
	return e.user, true
}

// Len is the number of people remembered, expired ones included until
// they are taken or pushed out.
func (r *Recent) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.people)
}

func (r *Recent) fresh(e entry, now time.Time) bool {
	return !now.Before(e.at) && now.Sub(e.at) < r.window
}

// dropOne makes room: every expired entry goes, else an arbitrary
// hundredth of the entries, so that a memory full of fresh sign-ins is
// not scanned again at the next one. Called with mu held.
func (r *Recent) dropOne(now time.Time) {
	dropped := false
	for k, e := range r.people {
		if !r.fresh(e, now) {
			delete(r.people, k)
			dropped = true
		}
	}
	if dropped {
		return
	}
	n := r.size/100 + 1
	for k := range r.people {
		if n == 0 {
			return
		}
		delete(r.people, k)
		n--
	}
}
