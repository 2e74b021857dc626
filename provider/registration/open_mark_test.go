package registration

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/netguard"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

const openMark = `"gatehouse_open_registration"`

// The mark says who registered a client; the server keeps it honest.
func TestOpenRegistrationMark(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		create  string // body, registered by createBy
		by      Access
		update  string // body of a replace by updateBy; empty: none
		updBy   Access
		marked  bool
		errPart string // of the failing step's description
	}{
		{name: "open registration marks", create: `{` + redirect + `}`, by: Open, marked: true},
		{name: "an open request cannot unmark itself", create: `{` + redirect + `,` + openMark + `:false}`, by: Open, marked: true},
		{name: "the master token does not mark", create: `{` + redirect + `}`, by: Master},
		{name: "the master token may mark", create: `{` + redirect + `,` + openMark + `:true}`, by: Master, marked: true},
		{name: "the mark is a boolean", create: `{` + redirect + `,` + openMark + `:"yes"}`, by: Master, errPart: "gatehouse_open_registration"},
		{name: "a client's update keeps it", create: `{` + redirect + `}`, by: Open,
			update: `{` + redirect + `}`, updBy: Self, marked: true},
		{name: "a client cannot drop it", create: `{` + redirect + `}`, by: Open,
			update: `{` + redirect + `,` + openMark + `:false}`, updBy: Self, errPart: "only the master token"},
		{name: "a client cannot take it", create: `{` + redirect + `}`, by: Master,
			update: `{` + redirect + `,` + openMark + `:true}`, updBy: Self, errPart: "only the master token"},
		{name: "a marked client stays under open rules", create: `{` + redirect + `}`, by: Open,
			update: `{` + redirect + `,"backchannel_logout_uri":"https://10.1.2.3/bc"}`, updBy: Self, errPart: "backchannel_logout_uri"},
		{name: "an unmarked client may name internal hosts", create: `{` + redirect + `}`, by: Master,
			update: `{` + redirect + `,"backchannel_logout_uri":"https://10.1.2.3/bc"}`, updBy: Self},
		{name: "the master keeps it by leaving it out", create: `{` + redirect + `}`, by: Open,
			update: `{` + redirect + `,"backchannel_logout_uri":"https://10.1.2.3/bc"}`, updBy: Master, marked: true},
		{name: "the master may lift it", create: `{` + redirect + `}`, by: Open,
			update: `{` + redirect + `,` + openMark + `:false}`, updBy: Master},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.AllowOpenRegistration = true })
			info, err := e.svc.Create(ctx, parse(t, tc.create), tc.by)
			if tc.update != "" && err == nil {
				_, err = e.svc.Replace(ctx, info.Client.ID, parse(t, tc.update), tc.updBy)
			}
			if tc.errPart != "" {
				var oe *oauth.Error
				if !errors.As(err, &oe) || !strings.Contains(oe.Description, tc.errPart) {
					t.Fatalf("err = %v, want one naming %q", err, tc.errPart)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := e.get(t, info.Client.ID).Metadata.OpenlyRegistered(); got != tc.marked {
				t.Errorf("marked %v, want %v", got, tc.marked)
			}
		})
	}
}

func TestOpenFetchedURIs(t *testing.T) {
	tests := []struct {
		member string
		uri    string
		open   bool
		bad    bool
	}{
		{`jwks_uri`, `"https://rp.example.com/jwks"`, true, false},
		{`jwks_uri`, `"https://127.0.0.1/jwks"`, true, true},
		{`jwks_uri`, `"https://169.254.169.254/latest"`, true, true},
		{`jwks_uri`, `"https://127.0.0.1/jwks"`, false, false},
		{`request_uris`, `["https://rp.example.com/r", "https://localhost/r"]`, true, true},
		{`request_uris`, `["https://[fd00::1]/r"]`, false, false},
		{`sector_identifier_uri`, `"https://[::ffff:10.0.0.1]/s"`, true, true},
	}
	for _, tc := range tests {
		req, err := ParseRequest([]byte(`{` + redirect + `,"` + tc.member + `":` + tc.uri + `}`))
		if err != nil {
			t.Fatal(err)
		}
		m := req.Metadata
		verr := validate(&m, testPolicy, tc.open)
		if got := verr != nil && strings.Contains(verr.Description, tc.member); got != tc.bad {
			t.Errorf("%s %s (open %v): %v", tc.member, tc.uri, tc.open, verr)
		}
	}
}

// sectorSpy answers every sector_identifier_uri with the test redirect
// URI, and notes whether the fetch was to be guarded.
type sectorSpy struct{ guarded []bool }

func (s *sectorSpy) SectorURIs(ctx context.Context, _ string) ([]string, error) {
	s.guarded = append(s.guarded, netguard.PublicOnly(ctx))
	return []string{"https://rp.example.com/cb"}, nil
}

// The sector_identifier_uri of an open registration, or of a marked
// client updating itself, is fetched through the guard.
func TestSectorFetchGuarded(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(c *Config) { c.AllowOpenRegistration = true })
	spy := &sectorSpy{}
	e.svc.sectors = spy
	body := `{` + redirect + `,"sector_identifier_uri":"https://rp.example.com/sector"}`
	open, err := e.svc.Create(ctx, parse(t, body), Open)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Replace(ctx, open.Client.ID, parse(t, body), Self); err != nil {
		t.Fatal(err)
	}
	admin := e.register(t, body)
	if _, err := e.svc.Replace(ctx, admin.Client.ID, parse(t, body), Self); err != nil {
		t.Fatal(err)
	}
	want := []bool{true, true, false, false}
	if len(spy.guarded) != len(want) {
		t.Fatalf("fetches guarded %v, want %v", spy.guarded, want)
	}
	for i := range want {
		if spy.guarded[i] != want[i] {
			t.Errorf("fetches guarded %v, want %v", spy.guarded, want)
			break
		}
	}
}

// In a lab (op.reg.allowOpenPrivateAddresses) open registration may name
// internal hosts; https is still required of backchannel_logout_uri.
func TestOpenPrivateAddressesPolicy(t *testing.T) {
	lab := testPolicy
	lab.OpenPrivateAddresses = true
	tests := []struct {
		body string
		bad  string
	}{
		{`"backchannel_logout_uri":"https://10.1.2.3/bc"`, ""},
		{`"backchannel_logout_uri":"https://localhost/bc"`, ""},
		{`"jwks_uri":"https://127.0.0.1/jwks"`, ""},
		{`"backchannel_logout_uri":"http://10.1.2.3/bc"`, "backchannel_logout_uri"},
	}
	for _, tc := range tests {
		req, err := ParseRequest([]byte(`{` + redirect + `,` + tc.body + `}`))
		if err != nil {
			t.Fatal(err)
		}
		m := req.Metadata
		verr := validate(&m, lab, true)
		switch {
		case tc.bad == "" && verr != nil:
			t.Errorf("%s: %v", tc.body, verr)
		case tc.bad != "" && (verr == nil || !strings.Contains(verr.Description, tc.bad)):
			t.Errorf("%s: %v, want an error naming %s", tc.body, verr, tc.bad)
		}
	}
}
