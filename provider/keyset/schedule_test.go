package keyset

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

func mustGenerate(t *testing.T) *Set {
	t.Helper()
	s, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestScheduleSelectsSigningAndPublishedKeys walks one rotation: which
// key signs and which are published at each moment.
func TestScheduleSelectsSigningAndPublishedKeys(t *testing.T) {
	t0 := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	old, fresh := mustGenerate(t), mustGenerate(t)
	sc := Schedule{Now: t0, PrePublication: 10 * time.Minute, RetireAfter: time.Hour}
	rotated := old.RotateAt(fresh, sc)
	oldRSA, freshRSA := kidOf(t, old, jose.RS256), kidOf(t, fresh, jose.RS256)
	switchAt := t0.Add(10 * time.Minute)
	retireAt := switchAt.Add(time.Hour)

	tests := []struct {
		name       string
		at         time.Time
		wantSigner string
		wantKeys   int // published after a refresh at that moment
	}{
		{name: "at the rotation the old key signs, both are published", at: t0, wantSigner: oldRSA, wantKeys: 6},
		{name: "just before the switch", at: switchAt.Add(-time.Nanosecond), wantSigner: oldRSA, wantKeys: 6},
		{name: "at the switch the new key signs", at: switchAt, wantSigner: freshRSA, wantKeys: 6},
		{name: "the old key is still published for its tokens", at: retireAt.Add(-time.Second), wantSigner: freshRSA, wantKeys: 6},
		{name: "after retirement the old key is dropped", at: retireAt, wantSigner: freshRSA, wantKeys: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, ok := rotated.SigningKeyAt(jose.RS256, tc.at)
			if !ok || k.KeyID != tc.wantSigner {
				t.Errorf("signer = %q (%v), want %q", k.KeyID, ok, tc.wantSigner)
			}
			if got := len(rotated.Pruned(tc.at).PublicKeys()); got != tc.wantKeys {
				t.Errorf("published %d keys, want %d", got, tc.wantKeys)
			}
		})
	}
	if m := rotated.Schedule(freshRSA); !m.SignsFrom.Equal(switchAt) || !m.PublishedUntil.IsZero() {
		t.Errorf("schedule of the new key = %+v", m)
	}
	if m := rotated.Schedule(oldRSA); !m.PublishedUntil.Equal(retireAt) {
		t.Errorf("schedule of the old key = %+v, want published until %s", m, retireAt)
	}
}

func TestScheduleSurvivesTheFileAndOldFilesLoad(t *testing.T) {
	t0 := time.Now().Add(time.Hour) // the new keys are not active yet
	old := mustGenerate(t)
	rotated := old.RotateAt(mustGenerate(t), Schedule{Now: t0, PrePublication: time.Minute, RetireAfter: time.Hour})
	data, err := rotated.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if kidOf(t, again, jose.RS256) != kidOf(t, old, jose.RS256) {
		t.Error("after a round trip a pre-published key signs already")
	}
	// A file written before schedules existed: no member, every key active.
	plain, err := old.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(plain), "gatehouse_keys") {
		t.Errorf("a set never rotated writes a schedule: %s", plain)
	}
	loaded, err := Parse(plain)
	if err != nil || kidOf(t, loaded, jose.ES256) != kidOf(t, old, jose.ES256) {
		t.Fatalf("old file: %v", err)
	}
}

func TestSealOpens(t *testing.T) {
	kek, err := ParseKEK(NewKEK())
	if err != nil {
		t.Fatal(err)
	}
	set := mustGenerate(t)
	sealed, err := Seal(kek, set)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, kidOf(t, set, jose.RS256)) {
		t.Error("the sealed value shows a kid")
	}
	opened, err := Open(kek, sealed)
	if err != nil || kidOf(t, opened, jose.RS256) != kidOf(t, set, jose.RS256) {
		t.Fatalf("Open: %v", err)
	}
	other, _ := ParseKEK(NewKEK())
	if _, err := Open(other, sealed); err == nil || !strings.Contains(err.Error(), "does not open") {
		t.Errorf("Open with another KEK: %v", err)
	}
	for _, bad := range []string{"", "c2hvcnQ=", "not base64!"} {
		if _, err := ParseKEK(bad); err == nil {
			t.Errorf("ParseKEK(%q) accepted", bad)
		}
	}
}

// memBlobs is an in-memory Blobs with the same compare-and-swap rule as
// the directory; the directory itself is tested in ldapstore.
type memBlobs struct {
	mu    sync.Mutex
	value string
	fail  error
	// beforeWrite runs once before the next write: another host's write.
	beforeWrite func()
}

func (m *memBlobs) ReadKeySet(context.Context) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return "", m.fail
	}
	if m.value == "" {
		return "", storage.ErrNotFound
	}
	return m.value, nil
}

func (m *memBlobs) WriteKeySet(_ context.Context, old, next string) error {
	if f := m.beforeWrite; f != nil {
		m.beforeWrite = nil
		f()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.value != old {
		return storage.ErrConflict
	}
	m.value = next
	return nil
}

func TestSharedUpdateLosesNoRotation(t *testing.T) {
	kek, _ := ParseKEK(NewKEK())
	blobs := &memBlobs{}
	shared := &Shared{Blobs: blobs, KEK: kek}
	base := mustGenerate(t)
	if _, err := shared.Update(context.Background(), func(*Set) (*Set, error) { return base, nil }); err != nil {
		t.Fatal(err)
	}
	theirs, ours := mustGenerate(t), mustGenerate(t)
	// Another host rotates between our read and our write.
	blobs.beforeWrite = func() {
		if _, err := (&Shared{Blobs: blobs, KEK: kek}).Update(context.Background(), func(old *Set) (*Set, error) {
			return old.RotateAt(theirs, Schedule{PrePublication: time.Minute}), nil
		}); err != nil {
			t.Error(err)
		}
	}
	calls := 0
	got, err := shared.Update(context.Background(), func(old *Set) (*Set, error) {
		calls++
		return old.RotateAt(ours, Schedule{PrePublication: time.Minute}), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Errorf("fn ran %d times, want 2 (once more after the conflict)", calls)
	}
	stored, err := shared.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []*Set{base, theirs, ours} {
		if !slices.Contains(stored.KeyIDs(), kidOf(t, want, jose.RS256)) {
			t.Errorf("stored set lost key %s", kidOf(t, want, jose.RS256))
		}
	}
	if !slices.Equal(got.KeyIDs(), stored.KeyIDs()) {
		t.Error("Update returned another set than it stored")
	}
}

func TestRefresherKeepsLastGoodSetAndPicksUpChanges(t *testing.T) {
	kek, _ := ParseKEK(NewKEK())
	blobs := &memBlobs{}
	first := mustGenerate(t)
	sealed, _ := Seal(kek, first)
	blobs.value = sealed
	live := NewLive(first)
	var logs strings.Builder
	r := &Refresher{Live: live, Loader: &Shared{Blobs: blobs, KEK: kek}, Every: time.Hour,
		Log: slog.New(slog.NewTextHandler(&logs, nil))}
	ctx := context.Background()

	blobs.fail = storage.ErrUnavailable
	for range 3 {
		if err := r.Once(ctx); !errors.Is(err, storage.ErrUnavailable) {
			t.Fatalf("Once = %v", err)
		}
	}
	if live.Current() != first {
		t.Error("an outage replaced the set")
	}
	if n := strings.Count(logs.String(), "cannot read the key set"); n != 1 {
		t.Errorf("outage logged %d times, want once", n)
	}

	blobs.fail = nil
	second := mustGenerate(t)
	blobs.value, _ = Seal(kek, second)
	if err := r.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if kidOf(t, live.Current(), jose.RS256) != kidOf(t, second, jose.RS256) {
		t.Error("the refresher did not put the new set in force")
	}
	if !strings.Contains(logs.String(), "can be read again") {
		t.Error("recovery not logged")
	}
}

func TestFileLoaderReadsAChangedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jwks.json")
	first := mustGenerate(t)
	if err := Create(path, first); err != nil {
		t.Fatal(err)
	}
	l := NewFileLoader(path)
	if set, err := l.Load(context.Background()); set != nil || err != nil {
		t.Fatalf("unchanged file: %v %v", set, err)
	}
	second := mustGenerate(t)
	if err := Replace(path, first.RotateAt(second, Schedule{})); err != nil {
		t.Fatal(err)
	}
	// A replacement within the clock's resolution keeps the modification
	// time; the size differs, which is enough.
	set, err := l.Load(context.Background())
	if err != nil || set == nil {
		t.Fatalf("changed file: %v %v", set, err)
	}
	if !slices.Contains(set.KeyIDs(), kidOf(t, second, jose.RS256)) {
		t.Error("the changed file's keys are missing")
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Load(context.Background()); err == nil {
		t.Error("a missing file is no error")
	}
}
