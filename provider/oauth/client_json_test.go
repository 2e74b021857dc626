package oauth

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestMetadataJSONRoundTrip(t *testing.T) {
	want := fullMetadata()
	raw, err := want.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var got Metadata
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip changed the metadata\n got: %+v\nwant: %+v\njson: %s", got, want, raw)
	}
	again, err := got.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(raw) {
		t.Errorf("second encoding differs:\n%s\n%s", again, raw)
	}
}

// Every field must have a JSON member: a field the table forgot would be
// lost silently in registration responses.
func TestEveryFieldHasAMember(t *testing.T) {
	full := reflect.ValueOf(fullMetadata())
	for i := range full.NumField() {
		name := full.Type().Field(i).Name
		if name == "Extra" {
			continue
		}
		var one Metadata
		reflect.ValueOf(&one).Elem().Field(i).Set(full.Field(i))
		raw, err := one.MarshalJSON()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var back Metadata
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if string(raw) == "{}" || !reflect.DeepEqual(back, one) {
			t.Errorf("%s does not survive JSON: %s", name, raw)
		}
	}
}

func TestMetadataJSONForms(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Metadata
		out  string // re-encoded; "" means same as in
	}{
		{
			name: "absent members are nil",
			in:   `{}`,
			want: Metadata{},
		},
		{
			name: "empty arrays and empty scope stay present",
			in:   `{"redirect_uris":[],"grant_types":[],"scope":""}`,
			want: Metadata{RedirectURIs: []string{}, GrantTypes: []string{}, Scope: []string{}},
		},
		{
			name: "null is absent",
			in:   `{"redirect_uris":null,"client_name":null,"client_name#de":null,"default_max_age":null,"jwks":null,"require_auth_time":null}`,
			want: Metadata{},
			out:  `{}`,
		},
		{
			name: "null in an unknown member is kept",
			in:   `{"x":null}`,
			want: Metadata{Extra: map[string]json.RawMessage{"x": json.RawMessage(`null`)}},
		},
		{
			name: "language tags with and without a tag",
			in:   `{"client_name":"Example","client_name#de":"Beispiel","client_name#en-GB":"Example Ltd","logo_uri#fr":"https://rp.example/fr.png"}`,
			want: Metadata{
				ClientName: LangString{"": "Example", "de": "Beispiel", "en-GB": "Example Ltd"},
				LogoURI:    LangString{"fr": "https://rp.example/fr.png"},
			},
		},
		{
			name: "language tags are put in canonical case",
			in:   `{"client_name#EN-gb":"Example Ltd"}`,
			want: Metadata{ClientName: LangString{"en-GB": "Example Ltd"}},
			out:  `{"client_name#en-GB":"Example Ltd"}`,
		},
		{
			name: "empty strings are absent",
			in:   `{"client_name":"","software_id":"","client_uri#de":""}`,
			want: Metadata{},
			out:  `{}`,
		},
		{
			name: "scope with repeated spaces",
			in:   `{"scope":" openid  email "}`,
			want: Metadata{Scope: []string{"openid", "email"}},
			out:  `{"scope":"openid email"}`,
		},
		{
			name: "zero max age is present",
			in:   `{"default_max_age":0}`,
			want: Metadata{DefaultMaxAge: new(int)},
		},
		{
			name: "false booleans are absent",
			in:   `{"require_auth_time":false}`,
			want: Metadata{},
			out:  `{}`,
		},
		{
			name: "unknown members are kept verbatim, tagged or not",
			in:   `{"software_statement":"eyJ.x.y","extra#de":{ "a" : [1, 2] }}`,
			want: Metadata{Extra: map[string]json.RawMessage{
				"software_statement": json.RawMessage(`"eyJ.x.y"`),
				"extra#de":           json.RawMessage(`{ "a" : [1, 2] }`),
			}},
			out: `{"extra#de":{ "a" : [1, 2] },"software_statement":"eyJ.x.y"}`,
		},
		{
			name: "jwks is kept verbatim",
			in:   `{"jwks":{ "keys" : [] }}`,
			want: Metadata{JWKS: json.RawMessage(`{ "keys" : [] }`)},
		},
		{
			name: "URIs are not HTML-escaped",
			in:   `{"redirect_uris":["https://rp.example/cb?a=1&b=<2>"]}`,
			want: Metadata{RedirectURIs: []string{"https://rp.example/cb?a=1&b=<2>"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got Metadata
			if err := json.Unmarshal([]byte(tc.in), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("decoded %+v, want %+v", got, tc.want)
			}
			raw, err := got.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			want := tc.out
			if want == "" {
				want = tc.in
			}
			if string(raw) != want {
				t.Errorf("encoded %s, want %s", raw, want)
			}
		})
	}
}

// encoding/json compacts what MarshalJSON returns and escapes HTML in it
// unless told otherwise; the content is the same.
func TestMetadataThroughEncodingJSON(t *testing.T) {
	m := Metadata{
		RedirectURIs: []string{"https://rp.example/cb?a=1&b=2"},
		Extra:        map[string]json.RawMessage{"x": json.RawMessage(`{ "a" : 1 }`)},
	}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"redirect_uris":["https://rp.example/cb?a=1\u0026b=2"],"x":{"a":1}}`; string(raw) != want {
		t.Errorf("json.Marshal = %s, want %s", raw, want)
	}
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(struct {
		Metadata *Metadata `json:"metadata"`
	}{&m}); err != nil {
		t.Fatal(err)
	}
	if want := `{"metadata":{"redirect_uris":["https://rp.example/cb?a=1&b=2"],"x":{"a":1}}}` + "\n"; buf.String() != want {
		t.Errorf("Encoder = %s, want %s", buf.String(), want)
	}
}

func TestMetadataWrongTypes(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		member string
	}{
		{name: "string as number", in: `{"jwks_uri":1}`, member: "jwks_uri"},
		{name: "list as string", in: `{"redirect_uris":"https://rp.example/cb"}`, member: "redirect_uris"},
		{name: "list of numbers", in: `{"contacts":[1]}`, member: "contacts"},
		{name: "scope as list", in: `{"scope":["openid"]}`, member: "scope"},
		{name: "bool as string", in: `{"require_auth_time":"true"}`, member: "require_auth_time"},
		{name: "fractional max age", in: `{"default_max_age":1.5}`, member: "default_max_age"},
		{name: "max age as string", in: `{"default_max_age":"60"}`, member: "default_max_age"},
		{name: "jwks as string", in: `{"jwks":"{}"}`, member: "jwks"},
		{name: "jwks as array", in: `{"jwks":[]}`, member: "jwks"},
		{name: "tagged name as number", in: `{"client_name#de":1}`, member: "client_name#de"},
		{name: "untagged URI as object", in: `{"policy_uri":{}}`, member: "policy_uri"},
		{name: "invalid language tag", in: `{"client_name#de_DE":"x"}`, member: "client_name#de_DE"},
		{name: "empty language tag", in: `{"tos_uri#":"x"}`, member: "tos_uri#"},
		{name: "tag repeated in another case", in: `{"client_name#de":"a","client_name#DE":"b"}`, member: "client_name#de"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m Metadata
			err := json.Unmarshal([]byte(tc.in), &m)
			var merr *MetadataError
			if !errors.As(err, &merr) {
				t.Fatalf("error = %v, want a MetadataError", err)
			}
			if merr.Member != tc.member || !strings.Contains(err.Error(), tc.member) {
				t.Errorf("error names %q (%v), want %q", merr.Member, err, tc.member)
			}
		})
	}
}

func TestMetadataNotAnObject(t *testing.T) {
	for _, in := range []string{`[]`, `"x"`, `1`} {
		var m Metadata
		if err := json.Unmarshal([]byte(in), &m); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}

func TestMetadataMarshalRefuses(t *testing.T) {
	tests := []struct {
		name  string
		extra map[string]json.RawMessage
	}{
		{name: "known member", extra: map[string]json.RawMessage{"redirect_uris": json.RawMessage(`[]`)}},
		{name: "tagged known member", extra: map[string]json.RawMessage{"client_name#de": json.RawMessage(`"x"`)}},
		{name: "invalid JSON", extra: map[string]json.RawMessage{"x": json.RawMessage(`{`)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := json.Marshal(Metadata{Extra: tc.extra}); err == nil {
				t.Error("no error")
			}
		})
	}
	for _, name := range []LangString{{"de_DE": "x"}, {"de": "x", "DE": "y"}} {
		if _, err := (Metadata{ClientName: name}).MarshalJSON(); err == nil {
			t.Errorf("client name %v: no error", name)
		}
	}
	if raw, err := (Metadata{ClientName: LangString{"EN-gb": "x"}}).MarshalJSON(); err != nil || string(raw) != `{"client_name#en-GB":"x"}` {
		t.Errorf("tag not written in canonical case: %s, %v", raw, err)
	}
	if _, err := json.Marshal(Metadata{JWKS: json.RawMessage(`[1]`)}); err == nil {
		t.Error("jwks that is not an object: no error")
	}
}

func FuzzMetadataJSON(f *testing.F) {
	f.Add(`{"client_name#de":"x","scope":"a b","redirect_uris":[],"x":{"y":1}}`)
	f.Add(`{"jwks":{"keys":[]},"default_max_age":5}`)
	f.Fuzz(func(t *testing.T, in string) {
		var m Metadata
		if err := json.Unmarshal([]byte(in), &m); err != nil {
			return
		}
		raw, err := m.MarshalJSON()
		if err != nil {
			t.Fatalf("decoded %q but cannot encode it: %v", in, err)
		}
		var back Metadata
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatalf("cannot decode own output %s: %v", raw, err)
		}
		if !reflect.DeepEqual(back, m) {
			t.Fatalf("round trip of %q changed it:\n%+v\n%+v", in, m, back)
		}
	})
}
