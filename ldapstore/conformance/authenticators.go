package conformance

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// AuthenticatorStore is a store of people's second factors and passkeys
// as the suite sees it.
type AuthenticatorStore interface {
	Create(ctx context.Context, a oauth.Authenticator) (oauth.Authenticator, error)
	Get(ctx context.Context, subject, id string) (oauth.Authenticator, error)
	List(ctx context.Context, subject string) ([]oauth.Authenticator, error)
	Update(ctx context.Context, subject, id string,
		fn func(oauth.Authenticator) (oauth.Authenticator, error)) (oauth.Authenticator, error)
	Delete(ctx context.Context, subject, id string) error
	FindCredential(ctx context.Context, credentialID []byte) (oauth.Authenticator, error)
}

// AuthenticatorBackend is one test's store and the directory behind it.
type AuthenticatorBackend struct {
	// Store is empty, and no other test uses its base DN.
	Store  AuthenticatorStore
	BaseDN string
	Dir    Directory
}

// RunAuthenticatorStoreTests runs the suite; newBackend is called once per
// test, from parallel tests.
func RunAuthenticatorStoreTests(t *testing.T, newBackend func(t *testing.T) AuthenticatorBackend) {
	tests := []struct {
		name string
		run  func(t *testing.T, b AuthenticatorBackend)
	}{
		{"FullRoundTrip", testAuthnRoundTrip},
		{"ListIsPerSubject", testAuthnList},
		{"OthersAuthenticatorsAreNotFound", testAuthnOthers},
		{"AlreadyExists", testAuthnAlreadyExists},
		{"UpdateAndClear", testAuthnUpdate},
		{"StaleUpdateConflicts", testAuthnStaleUpdate},
		{"UpdateCannotChangeKey", testAuthnUpdateKey},
		{"FindCredential", testAuthnFindCredential},
		{"Delete", testAuthnDelete},
		{"PersonEntryUntouched", testAuthnEntryShape},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newBackend(t))
		})
	}
}

// specialSubject has what a filter or DN must escape.
const specialSubject = "müller*)(uid=*,+\\"

func fullPasskey(subject string) oauth.Authenticator {
	return oauth.Authenticator{
		ID: "pk-1", Subject: subject, Kind: oauth.AuthenticatorPasskey, Name: "YubiKey 5 (blue)",
		CredentialID: []byte{0, 1, 2, 250, 255}, PublicKey: []byte("\xa5\x01\x02\x03\x26"),
		SignCount: 4000000000,
		Data: oauth.AuthenticatorData{BackupEligible: true, BackupState: true, UserVerified: true,
			AAGUID: []byte("0123456789abcdef"), Transports: []string{"usb", "nfc"}, AttestationType: "none"},
		Created:  time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		LastUsed: time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC),
	}
}

func createAuthn(t *testing.T, s AuthenticatorStore, a oauth.Authenticator) oauth.Authenticator {
	t.Helper()
	got, err := s.Create(t.Context(), a)
	if err != nil {
		t.Fatalf("Create(%q): %v", a.ID, err)
	}
	return got
}

func testAuthnRoundTrip(t *testing.T, b AuthenticatorBackend) {
	for _, want := range []oauth.Authenticator{
		fullPasskey(specialSubject),
		{ID: "totp-1", Subject: "alice", Kind: oauth.AuthenticatorTOTP, Name: "Phone",
			Secret: "aesgcm$v=1$kid=k$abc", Data: oauth.AuthenticatorData{TOTPLastStep: 59000000},
			Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		{ID: "rc-1", Subject: "alice", Kind: oauth.AuthenticatorRecovery,
			RecoveryCodes: []string{"h1", "h2", "H1"}, Created: time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC)},
	} {
		created := createAuthn(t, b.Store, want)
		got, err := b.Store.Get(t.Context(), want.Subject, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(created, want) {
			t.Errorf("round trip of %s:\n got %+v\n created %+v\nwant %+v", want.Kind, got, created, want)
		}
	}
}

func testAuthnList(t *testing.T, b AuthenticatorBackend) {
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	createAuthn(t, b.Store, oauth.Authenticator{ID: "b", Subject: "alice", Kind: oauth.AuthenticatorTOTP, Created: day.Add(time.Hour)})
	createAuthn(t, b.Store, oauth.Authenticator{ID: "a", Subject: "alice", Kind: oauth.AuthenticatorTOTP, Created: day.Add(2 * time.Hour)})
	createAuthn(t, b.Store, oauth.Authenticator{ID: "c", Subject: "Alice", Kind: oauth.AuthenticatorTOTP, Created: day})
	createAuthn(t, b.Store, oauth.Authenticator{ID: "d", Subject: "alice ", Kind: oauth.AuthenticatorTOTP, Created: day})
	list, err := b.Store.List(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range list {
		ids = append(ids, a.ID)
	}
	if !reflect.DeepEqual(ids, []string{"b", "a"}) {
		t.Errorf("List(alice) = %v, want [b a]: oldest first, exact subject only", ids)
	}
	if list, err := b.Store.List(t.Context(), "nobody"); err != nil || len(list) != 0 {
		t.Errorf("List(nobody) = %v, %v", list, err)
	}
}

func testAuthnOthers(t *testing.T, b AuthenticatorBackend) {
	createAuthn(t, b.Store, fullPasskey("alice"))
	ctx := t.Context()
	_, err := b.Store.Get(ctx, "bob", "pk-1")
	wantErr(t, "Get of another's", err, ldapstore.ErrNotFound)
	_, err = b.Store.Update(ctx, "bob", "pk-1", func(a oauth.Authenticator) (oauth.Authenticator, error) { return a, nil })
	wantErr(t, "Update of another's", err, ldapstore.ErrNotFound)
	wantErr(t, "Delete of another's", b.Store.Delete(ctx, "bob", "pk-1"), ldapstore.ErrNotFound)
	_, err = b.Store.Get(ctx, "alice", "nope")
	wantErr(t, "Get of none", err, ldapstore.ErrNotFound)
	_, err = b.Store.Get(ctx, "alice", "x)(gatehouseAuthnID=*")
	wantErr(t, "Get with filter characters", err, ldapstore.ErrNotFound)
}

func testAuthnAlreadyExists(t *testing.T, b AuthenticatorBackend) {
	createAuthn(t, b.Store, fullPasskey("alice"))
	_, err := b.Store.Create(t.Context(), fullPasskey("bob"))
	wantErr(t, "second Create", err, ldapstore.ErrAlreadyExists)
}

func testAuthnUpdate(t *testing.T, b AuthenticatorBackend) {
	createAuthn(t, b.Store, fullPasskey("alice"))
	used := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	got, err := b.Store.Update(t.Context(), "alice", "pk-1", func(a oauth.Authenticator) (oauth.Authenticator, error) {
		a.SignCount, a.LastUsed, a.Name = 4000000001, used, ""
		a.Data.Transports, a.Data.BackupState = nil, false
		return a, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	read, err := b.Store.Get(t.Context(), "alice", "pk-1")
	if err != nil {
		t.Fatal(err)
	}
	want := fullPasskey("alice")
	want.SignCount, want.LastUsed, want.Name = 4000000001, used, ""
	want.Data.Transports, want.Data.BackupState = nil, false
	if !reflect.DeepEqual(read, want) || !reflect.DeepEqual(got, want) {
		t.Errorf("after Update:\n read %+v\n got %+v\nwant %+v", read, got, want)
	}
	sentinel := errors.New("no")
	_, err = b.Store.Update(t.Context(), "alice", "pk-1", func(a oauth.Authenticator) (oauth.Authenticator, error) {
		a.Name = "changed"
		return a, sentinel
	})
	wantErr(t, "Update with a failing function", err, sentinel)
	if read, _ := b.Store.Get(t.Context(), "alice", "pk-1"); read.Name != "" {
		t.Errorf("a failing update wrote %q", read.Name)
	}
}

// A code consumed on another instance between read and write: the second
// write must fail, or a one-time code would be good twice.
func testAuthnStaleUpdate(t *testing.T, b AuthenticatorBackend) {
	createAuthn(t, b.Store, oauth.Authenticator{ID: "rc", Subject: "alice", Kind: oauth.AuthenticatorRecovery,
		RecoveryCodes: []string{"h1", "h2"}})
	ctx := t.Context()
	_, err := b.Store.Update(ctx, "alice", "rc", func(a oauth.Authenticator) (oauth.Authenticator, error) {
		if _, err := b.Store.Update(ctx, "alice", "rc", func(a oauth.Authenticator) (oauth.Authenticator, error) {
			a.RecoveryCodes = []string{"h2"}
			return a, nil
		}); err != nil {
			t.Errorf("inner Update: %v", err)
		}
		a.RecoveryCodes = []string{"h2"}
		return a, nil
	})
	wantErr(t, "stale Update", err, ldapstore.ErrConflict)
}

func testAuthnUpdateKey(t *testing.T, b AuthenticatorBackend) {
	createAuthn(t, b.Store, fullPasskey("alice"))
	for name, change := range map[string]func(*oauth.Authenticator){
		"subject": func(a *oauth.Authenticator) { a.Subject = "bob" },
		"kind":    func(a *oauth.Authenticator) { a.Kind = oauth.AuthenticatorTOTP },
		"id":      func(a *oauth.Authenticator) { a.ID = "other" },
	} {
		_, err := b.Store.Update(t.Context(), "alice", "pk-1", func(a oauth.Authenticator) (oauth.Authenticator, error) {
			change(&a)
			return a, nil
		})
		wantErr(t, "Update changing the "+name, err, ldapstore.ErrAuthenticatorKeyChanged)
	}
}

func testAuthnFindCredential(t *testing.T, b AuthenticatorBackend) {
	want := createAuthn(t, b.Store, fullPasskey(specialSubject))
	got, err := b.Store.FindCredential(t.Context(), want.CredentialID)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("FindCredential = %+v, %v", got, err)
	}
	_, err = b.Store.FindCredential(t.Context(), []byte{0, 1, 2, 250})
	wantErr(t, "FindCredential of a prefix", err, ldapstore.ErrNotFound)
	_, err = b.Store.FindCredential(t.Context(), nil)
	wantErr(t, "FindCredential of nothing", err, ldapstore.ErrNotFound)
}

func testAuthnDelete(t *testing.T, b AuthenticatorBackend) {
	createAuthn(t, b.Store, fullPasskey("alice"))
	if err := b.Store.Delete(t.Context(), "alice", "pk-1"); err != nil {
		t.Fatal(err)
	}
	_, err := b.Store.Get(t.Context(), "alice", "pk-1")
	wantErr(t, "Get after Delete", err, ldapstore.ErrNotFound)
	wantErr(t, "second Delete", b.Store.Delete(t.Context(), "alice", "pk-1"), ldapstore.ErrNotFound)
}

// The entry is Gatehouse's own class below the base DN, and holds the
// subject, never a reference into the person's entry.
func testAuthnEntryShape(t *testing.T, b AuthenticatorBackend) {
	createAuthn(t, b.Store, fullPasskey("alice"))
	res, err := b.Dir.Search(ldap.NewSearchRequest(b.BaseDN, ldap.ScopeSingleLevel, ldap.NeverDerefAliases,
		0, 0, false, "(objectClass=*)", []string{"objectClass", "gatehouseAuthnSubject", "gatehouseAuthnCredentialID"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entries) != 1 {
		t.Fatalf("%d entries below the base DN, want 1", len(res.Entries))
	}
	e := res.Entries[0]
	if e.DN != "gatehouseAuthnID=pk-1,"+b.BaseDN {
		t.Errorf("DN = %s", e.DN)
	}
	if got := e.GetAttributeValue("gatehouseAuthnSubject"); got != "alice" {
		t.Errorf("subject = %q", got)
	}
	if got := e.GetAttributeValue("gatehouseAuthnCredentialID"); got != "AAEC-v8" {
		t.Errorf("credential ID = %q, want base64url", got)
	}
}
