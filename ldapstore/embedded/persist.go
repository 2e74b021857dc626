package embedded

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

const dataHeader = `Gatehouse embedded directory data, rewritten after every change.
Stop the server before editing this file by hand.`

// loadInitial fills a new directory: from the data file when it exists,
// else from the seed, else not at all. It reports whether the seed was
// used, in which case the caller writes the data file straight away so
// that generated entryUUIDs and timestamps stay the same on the next start.
func loadInitial(d *directory, data, seed string) (fromSeed bool, err error) {
	if data != "" {
		entries, err := readEntries(data)
		switch {
		case err == nil:
			return false, d.load(entries)
		case !errors.Is(err, fs.ErrNotExist):
			return false, err
		}
	}
	if seed == "" {
		return false, nil
	}
	entries, err := readEntries(seed)
	if err != nil {
		return false, err
	}
	return true, d.load(entries)
}

// readEntries reads an LDIF file into entries, checking each the way an
// add request would be checked, operational attributes allowed.
func readEntries(path string) ([]*entry, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	records, err := readLDIF(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	entries := make([]*entry, 0, len(records))
	for _, rec := range records {
		e, err := entryFromRecord(rec)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", path, rec.line, err)
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// entryFromRecord groups a record's lines by attribute, in the order the
// attributes first appear, and builds the entry.
func entryFromRecord(rec ldifRecord) (*entry, error) {
	target, err := parseDN(rec.dn)
	if err != nil {
		return nil, err
	}
	if target.isRoot() {
		return nil, fmt.Errorf("an entry cannot have the empty DN")
	}
	var groups []valueGroup
	index := make(map[string]int)
	for _, l := range rec.lines {
		k := parseDesc(l.name).key()
		i, ok := index[k]
		if !ok {
			i = len(groups)
			index[k] = i
			groups = append(groups, valueGroup{name: l.name})
		}
		groups[i].values = append(groups[i].values, l.value)
	}
	return buildEntry(target, groups)
}

// load puts entries read from a file into an empty directory. Their order
// in the file does not matter, but every entry's parent must be there too,
// unless nothing above it is: then it is a naming context.
func (d *directory) load(entries []*entry) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, e := range entries {
		if _, dup := d.entries[e.dn.key]; dup {
			return fmt.Errorf("entry %q appears twice", e.dn.text)
		}
		d.entries[e.dn.key] = e
	}
	now := d.now()
	for _, e := range entries {
		if err := d.parentMissingLocked(e.dn, true); err != nil {
			return fmt.Errorf("entry %q: parent entry missing", e.dn.text)
		}
		stampCreated(e, now, "")
	}
	return nil
}

// fileSaver returns a save function writing the directory to path.
func fileSaver(path string) func([]*entry) error {
	return func(entries []*entry) error {
		return writeFileAtomic(path, encodeLDIF(dataHeader, entries))
	}
}

// writeFileAtomic replaces path with data so that a crash leaves either the
// old file or the new one, never a mix: write a temporary file in the same
// directory, fsync it, rename it over path, fsync the directory.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("embedded directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("embedded directory: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("embedded directory: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("embedded directory: writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("embedded directory: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("embedded directory: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("embedded directory: %w", err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("embedded directory: %w", err)
	}
	defer func() { _ = f.Close() }()
	// Some file systems cannot sync a directory and say so with EINVAL;
	// the rename itself has still happened.
	if err := f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("embedded directory: syncing %s: %w", dir, err)
	}
	return nil
}
