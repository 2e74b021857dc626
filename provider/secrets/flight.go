package secrets

import "sync"

// flight is one slow check in progress; done is closed once ok and err
// hold its answer.
type flight struct {
	done chan struct{}
	ok   bool
	err  error
}

// flights are the checks in progress by fingerprint: the few lines of
// golang.org/x/sync/singleflight this package needs, with waiters that
// can leave when their context ends.
type flights struct {
	mu sync.Mutex
	m  map[fingerprint]*flight
}

// join returns the flight of fp, and whether the caller has just started
// it and so must run it and land it.
func (fs *flights) join(fp fingerprint) (*flight, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if f, ok := fs.m[fp]; ok {
		return f, false
	}
	if fs.m == nil {
		fs.m = make(map[fingerprint]*flight)
	}
	f := &flight{done: make(chan struct{})}
	fs.m[fp] = f
	return f, true
}

// land records the answer of f and wakes its waiters. A success must be
// in the cache before f leaves the map, so that a caller arriving after
// it finds one or the other.
func (fs *flights) land(fp fingerprint, f *flight, ok bool, err error) {
	f.ok, f.err = ok, err
	fs.mu.Lock()
	delete(fs.m, fp)
	fs.mu.Unlock()
	close(f.done)
}

func (fs *flights) len() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return len(fs.m)
}
