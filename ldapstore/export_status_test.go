package ldapstore

import "time"

// SetStatusClock replaces the clock AccountStatus judges locks (and ages
// cached password policies) by, so a test can let a lock run out
// without waiting for it.
func SetStatusClock(u *Users, now func() time.Time) { u.now = now }
