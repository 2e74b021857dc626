package keyset

import (
	"context"
	"log/slog"
	"os"
	"slices"
	"time"
)

// Loader reads the key set from where it is kept. It returns a nil set
// and no error when nothing changed since its last call, so that an
// unchanged store costs no parsing.
type Loader interface {
	Load(ctx context.Context) (*Set, error)
}

// Refresher keeps a Live set up to date: every Every it asks the Loader
// and puts a changed set in force, and drops keys whose publication has
// ended. A store that cannot be read keeps the last good set in force:
// one warning when the failures start, one line when they end.
type Refresher struct {
	Live   *Live
	Loader Loader
	Every  time.Duration
	Log    *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OnChange, when set, hears of every set put in force.
	OnChange func(*Set)

	failing bool
}

// Run refreshes until ctx ends.
func (r *Refresher) Run(ctx context.Context) {
	t := time.NewTicker(r.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = r.Once(ctx) // reported by Once
		}
	}
}

// Once refreshes now. It is not safe for concurrent use: one goroutine
// refreshes.
func (r *Refresher) Once(ctx context.Context) error {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	set, err := r.Loader.Load(ctx)
	switch {
	case err != nil && !r.failing:
		r.failing = true
		r.Log.Warn("cannot read the key set; keeping the last one", "err", err)
	case err == nil && r.failing:
		r.failing = false
		r.Log.Info("the key set can be read again")
	}
	cur := r.Live.Current()
	next := cur
	if set != nil {
		next = set
	}
	next = next.Pruned(now())
	if next == cur {
		return err
	}
	if !slices.Equal(next.KeyIDs(), cur.KeyIDs()) {
		r.Log.Info("key set changed", "kids", next.KeyIDs())
	}
	r.Live.Store(next)
	if r.OnChange != nil {
		r.OnChange(next)
	}
	return err
}

// FileLoader reads the key file again when its modification time or size
// changed, so that configuration management can push a new file.
type FileLoader struct {
	Path string

	mod  time.Time
	size int64
}

// NewFileLoader returns a loader that treats the file as it is now as
// read already (the server loaded it at start).
func NewFileLoader(path string) *FileLoader {
	l := &FileLoader{Path: path}
	if info, err := os.Stat(path); err == nil {
		l.mod, l.size = info.ModTime(), info.Size()
	}
	return l
}

// Load implements Loader.
func (l *FileLoader) Load(context.Context) (*Set, error) {
	info, err := os.Stat(l.Path)
	if err != nil {
		return nil, err
	}
	if info.ModTime().Equal(l.mod) && info.Size() == l.size {
		return nil, nil
	}
	set, err := Load(l.Path)
	if err != nil {
		return nil, err
	}
	l.mod, l.size = info.ModTime(), info.Size()
	return set, nil
}
