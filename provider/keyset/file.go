package keyset

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists is returned by Create when the file is already there.
var ErrExists = errors.New("key file already exists")

// Load reads a key file. A file that others may read or write is refused
// before it is parsed: private keys must not be readable by every local user.
func Load(path string) (*Set, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	if perm := info.Mode().Perm(); perm&0o007 != 0 {
		return nil, fmt.Errorf("key file %s: mode %04o lets other users read it; run chmod 600 %s", path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	set, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return set, nil
}

// LoadOrCreate loads the key file, or generates a new set and writes it
// there when the file does not exist. created tells which happened.
func LoadOrCreate(path string) (set *Set, created bool, err error) {
	set, err = Load(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return set, false, err
	}
	set, err = Generate()
	if err != nil {
		return nil, false, err
	}
	if err := Create(path, set); err != nil {
		// Another process may have won the race to create it: use theirs.
		if errors.Is(err, ErrExists) {
			set, err = Load(path)
			return set, false, err
		}
		return nil, false, err
	}
	return set, true, nil
}

// Create writes the set to a new file with mode 0600, creating its directory
// with mode 0700. It never overwrites an existing file.
func Create(path string, set *Set) error {
	return write(path, set, false)
}

// Replace atomically replaces the file (for rotation), keeping mode 0600.
func Replace(path string, set *Set) error {
	return write(path, set, true)
}

func write(path string, set *Set, replace bool) error {
	data, err := set.MarshalJSON()
	if err != nil {
		return fmt.Errorf("key file %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("key file %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, ".jwks-*")
	if err != nil {
		return fmt.Errorf("key file %s: %w", path, err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // gone after a rename; stale after a failure
	if err := writeSynced(tmp, append(data, '\n')); err != nil {
		return fmt.Errorf("key file %s: %w", path, err)
	}
	if replace {
		err = os.Rename(tmp.Name(), path)
	} else {
		// A hard link fails if the target exists, which makes creation
		// exclusive without ever exposing a half-written file.
		err = os.Link(tmp.Name(), path)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("key file %s: %w", path, ErrExists)
		}
	}
	if err != nil {
		return fmt.Errorf("key file %s: %w", path, err)
	}
	return nil
}

func writeSynced(f *os.File, data []byte) error {
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
