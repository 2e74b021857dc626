package templates

import (
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func TestCatalogComplete(t *testing.T) {
	en := catalog[defaultLang]
	for _, lang := range languages {
		texts, ok := catalog[lang]
		if !ok {
			t.Errorf("no catalog for %q", lang)
			continue
		}
		for key, msg := range en {
			other, ok := texts[key]
			switch {
			case !ok:
				t.Errorf("%s: missing %q", lang, key)
			case strings.TrimSpace(other) == "":
				t.Errorf("%s: %q is empty", lang, key)
			case countVerbs(other) != countVerbs(msg):
				t.Errorf("%s: %q takes %d arguments, English %d", lang, key, countVerbs(other), countVerbs(msg))
			}
		}
		for key := range texts {
			if _, ok := en[key]; !ok {
				t.Errorf("%s: %q is not in the English catalog", lang, key)
			}
		}
	}
	if len(catalog) != len(languages) {
		t.Errorf("catalog has %d languages, pages %d", len(catalog), len(languages))
	}
}

// TestCatalogNamedKeys checks the keys that code and pages compose.
func TestCatalogNamedKeys(t *testing.T) {
	var keys []string
	for _, s := range []string{"openid", "profile", "email", "address", "phone", "offline_access", "groups"} {
		keys = append(keys, "scope."+s)
	}
	for _, e := range []string{LoginInvalid, LoginLocked, LoginExpired, LoginMustChange, LoginThrottled, LoginUnavailable,
		LoginDisabled, LoginAccountExpired, LoginNotPermitted} {
		keys = append(keys, "login.error."+e)
	}
	for _, e := range passwordErrors {
		keys = append(keys, "password.error."+e)
	}
	for _, k := range []string{"default", "not_found", "method_not_allowed", "bad_request", "unknown_client",
		"bad_redirect_uri", "missing_redirect_uri", "expired", "csrf", "unavailable", "server_error"} {
		keys = append(keys, "error."+k+".title", "error."+k+".text")
	}
	for _, name := range pageNames {
		if name != "error" { // titled by its kind or its caller
			keys = append(keys, name+".title")
		}
	}
	// Every literal key the embedded pages name.
	used := regexp.MustCompile(`\{\{-?\s*t\s+"([^"]+)"`)
	err := fs.WalkDir(embedded, "pages", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(embedded, path)
		for _, m := range used.FindAllStringSubmatch(string(data), -1) {
			keys = append(keys, m[1])
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(keys)
	for _, lang := range languages {
		for _, key := range keys {
			if _, ok := catalog[lang][key]; !ok {
				t.Errorf("%s: missing %q", lang, key)
			}
		}
	}
}

func TestLoginInvalidSaysNothingAboutWhich(t *testing.T) {
	if got := catalog["en"]["login.error.invalid"]; got != "The username or password is wrong." {
		t.Errorf("login.error.invalid = %q", got)
	}
	if got := catalog["en"]["login.error.throttled"]; got != "Too many attempts. Try again in a few minutes." {
		t.Errorf("login.error.throttled = %q", got)
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name, lang, key string
		args            []any
		want, wantErr   string
	}{
		{name: "plain", lang: "de", key: "login.submit", want: "Anmelden"},
		{name: "argument", lang: "en", key: "consent.user", args: []any{"alice"}, want: "Signed in as alice"},
		{name: "argument with verbs is data", lang: "en", key: "consent.user", args: []any{"%s%d"}, want: "Signed in as %s%d"},
		{name: "unknown key", lang: "en", key: "nope", wantErr: `no text "nope"`},
		{name: "missing argument", lang: "en", key: "consent.user", wantErr: "takes 1 arguments, got 0"},
		{name: "extra argument", lang: "en", key: "login.submit", args: []any{"x"}, wantErr: "takes 0 arguments, got 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := text(tc.lang, tc.key, tc.args...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("text = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	if got := describe("de", "scope", "email"); got != "Ihre E-Mail-Adresse sehen" {
		t.Errorf("scope email in German = %q", got)
	}
	if got := describe("en", "scope", "api:read"); got != "api:read" {
		t.Errorf("unknown scope = %q, want its value", got)
	}
	if got := describe("en", "claim", "birthdate"); got != "Date of birth" {
		t.Errorf("claim birthdate = %q", got)
	}
}
