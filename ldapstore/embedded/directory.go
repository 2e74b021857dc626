package embedded

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// directory is the entry tree. One RWMutex guards it: searches share it,
// changes hold it alone until the change is applied and saved, so every
// change is atomic and visible to the next request on any connection.
type directory struct {
	mu      sync.RWMutex
	entries map[string]*entry // by dn key
	save    func([]*entry) error
	closed  bool
	now     func() time.Time
}

// newDirectory returns an empty tree. save persists the whole tree after a
// change and may be nil for a memory-only directory.
func newDirectory(save func([]*entry) error) *directory {
	return &directory{entries: make(map[string]*entry), save: save, now: time.Now}
}

// sortedLocked returns every entry, parents before children. The caller
// holds the lock.
func (d *directory) sortedLocked() []*entry {
	out := make([]*entry, 0, len(d.entries))
	for _, e := range d.entries {
		out = append(out, e)
	}
	sortByKey(out)
	return out
}

func sortByKey(es []*entry) {
	slices.SortFunc(es, func(a, b *entry) int { return strings.Compare(a.dn.key, b.dn.key) })
}

// commitLocked saves the tree after a change and undoes the change if that
// fails, so memory never runs ahead of the data file. The caller holds the
// write lock.
func (d *directory) commitLocked(undo func()) error {
	if d.save == nil {
		return nil
	}
	if err := d.save(d.sortedLocked()); err != nil {
		undo()
		return err
	}
	return nil
}

// writableLocked refuses changes once the server is closing, so that no
// request still in flight rewrites the data file after Close returns.
func (d *directory) writableLocked() error {
	if d.closed {
		return fail(ldap.LDAPResultUnavailable, "the directory is shutting down")
	}
	return nil
}

func (d *directory) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
}

// missingLocked answers noSuchObject for target, naming the deepest
// ancestor that exists as matchedDN (RFC 4511 §4.1.9).
func (d *directory) missingLocked(target dn) error {
	err := fail(ldap.LDAPResultNoSuchObject, "no such entry: %s", target.text)
	for _, k := range target.ancestorKeys() {
		if e, ok := d.entries[k]; ok {
			err.matched = e.dn.text
			break
		}
	}
	return err
}

// parentMissingLocked decides whether target may be added. Its parent must
// exist, with one exception: an entry that no existing entry is above
// starts a new naming context. Over LDAP that is allowed only while the
// directory is empty, the way a fresh database takes its suffix entry;
// from the seed or data file any number of naming contexts may come.
func (d *directory) parentMissingLocked(target dn, fromFile bool) error {
	if len(target.keys) > 1 {
		if _, ok := d.entries[target.parentKey()]; ok {
			return nil
		}
	}
	for _, k := range target.ancestorKeys() {
		if _, ok := d.entries[k]; ok {
			return d.missingLocked(target)
		}
	}
	if fromFile || len(d.entries) == 0 {
		return nil
	}
	return d.missingLocked(target)
}

// hasChildrenLocked reports whether any entry sits directly below key. A
// scan is enough for a development directory of a few thousand entries and
// keeps the tree a single map with nothing else to keep in step.
func (d *directory) hasChildrenLocked(key string) bool {
	for k := range d.entries {
		if parentOf(k) == key {
			return true
		}
	}
	return false
}

// namingContexts lists the DNs of the entries that have no parent.
func (d *directory) namingContexts() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []string
	for _, e := range d.sortedLocked() {
		if _, ok := d.entries[e.dn.parentKey()]; !ok {
			out = append(out, e.dn.text)
		}
	}
	return out
}

// saveAll writes the whole tree, for the first save after loading the seed.
func (d *directory) saveAll() error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.save(d.sortedLocked())
}

// size counts the entries.
func (d *directory) size() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.entries)
}
