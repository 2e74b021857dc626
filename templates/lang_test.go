package templates

import (
	"slices"
	"testing"
)

func TestChooseLang(t *testing.T) {
	tests := []struct {
		name      string
		uiLocales []string
		accept    string
		want      string
	}{
		{name: "nothing", want: "en"},
		{name: "ui_locales first supported", uiLocales: []string{"fr-CA", "fr", "de"}, accept: "en", want: "de"},
		{name: "ui_locales as one space-separated value", uiLocales: []string{"fr-CA fr de en"}, want: "de"},
		{name: "ui_locales beats Accept-Language", uiLocales: []string{"en"}, accept: "de", want: "en"},
		{name: "ui_locales region", uiLocales: []string{"de-AT"}, want: "de"},
		{name: "ui_locales script and region", uiLocales: []string{"de-Latn-CH"}, want: "de"},
		{name: "ui_locales case", uiLocales: []string{"DE-at"}, want: "de"},
		{name: "ui_locales underscore", uiLocales: []string{"de_DE"}, want: "de"},
		{name: "ui_locales unsupported falls to header", uiLocales: []string{"fr", "ja"}, accept: "de", want: "de"},
		{name: "ui_locales garbage", uiLocales: []string{"<script>", "d3", "*"}, accept: "de", want: "de"},
		{name: "header plain", accept: "de", want: "de"},
		{name: "header region", accept: "de-AT", want: "de"},
		{name: "header order without q", accept: "fr, de, en", want: "de"},
		{name: "header q-values", accept: "en;q=0.5, de;q=0.9", want: "de"},
		{name: "header q-values with spaces", accept: "en ; q=0.5 , de ; q=0.6", want: "de"},
		{name: "header equal q: first wins", accept: "en;q=0.8, de;q=0.800", want: "en"},
		{name: "header browser style", accept: "fr-CH, fr;q=0.9, de;q=0.8, en;q=0.7, *;q=0.5", want: "de"},
		{name: "header q=1 beats later q=1.0", accept: "de;q=1, en;q=1.000", want: "de"},
		{name: "header q=0 refuses", accept: "de;q=0, fr", want: "en"},
		{name: "header wildcard is English", accept: "*", want: "en"},
		{name: "header wildcard skips refused", accept: "en;q=0, *;q=0.1", want: "de"},
		{name: "header wildcard skips named", accept: "fr, en;q=0.2, *;q=0.5", want: "de"},
		{name: "header wildcard below named", accept: "de;q=0.4, *;q=0.3", want: "de"},
		{name: "header all refused", accept: "en;q=0, de;q=0", want: "en"},
		{name: "header invalid q ignored", accept: "de;q=2, en;q=0.1", want: "en"},
		{name: "header too many decimals ignored", accept: "de;q=0.0001, en;q=0.1", want: "en"},
		{name: "header 1.5 ignored", accept: "de;q=1.5", want: "en"},
		{name: "header negative q ignored", accept: "de;q=-1", want: "en"},
		{name: "header other params ignored", accept: "de;x=y;q=0.5, en;q=0.4", want: "de"},
		{name: "header garbage", accept: ";;,,=;q, de-, -de, d€, ", want: "en"},
		{name: "header garbage among good", accept: "💥;q=1, de;q=0.3", want: "de"},
		{name: "header overlong subtag", accept: "deutschland1", want: "en"},
		{name: "header unsupported only", accept: "fr, ja;q=0.9", want: "en"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ChooseLang(tc.uiLocales, tc.accept); got != tc.want {
				t.Errorf("ChooseLang(%q, %q) = %q, want %q", tc.uiLocales, tc.accept, got, tc.want)
			}
		})
	}
}

func TestPickLang(t *testing.T) {
	names := map[string]string{"": "Expenses", "de": "Spesen", "de-CH": "Spesen (CH)", "fr": "Frais"}
	tests := []struct {
		name   string
		values map[string]string
		lang   string
		want   string
	}{
		{name: "exact", values: names, lang: "de-CH", want: "Spesen (CH)"},
		{name: "exact ignoring case", values: names, lang: "de-ch", want: "Spesen (CH)"},
		{name: "base language", values: names, lang: "de-AT", want: "Spesen"},
		{name: "plain language", values: names, lang: "de", want: "Spesen"},
		{name: "variant of the same language", values: map[string]string{"": "Expenses", "de-CH": "Spesen (CH)"}, lang: "de", want: "Spesen (CH)"},
		{name: "untagged", values: names, lang: "en", want: "Expenses"},
		{name: "untagged for empty lang", values: names, lang: "", want: "Expenses"},
		{name: "only other languages", values: map[string]string{"fr": "Frais", "es": "Gastos"}, lang: "de", want: "Gastos"},
		{name: "empty", values: map[string]string{}, lang: "de", want: ""},
		{name: "nil", values: nil, lang: "de", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PickLang(tc.values, tc.lang); got != tc.want {
				t.Errorf("PickLang(%v, %q) = %q, want %q", tc.values, tc.lang, got, tc.want)
			}
		})
	}
}

func TestLanguages(t *testing.T) {
	got := Languages()
	if !slices.Equal(got, []string{"en", "de"}) {
		t.Fatalf("Languages() = %q", got)
	}
	got[0] = "xx"
	if Languages()[0] != "en" {
		t.Error("Languages() shares its slice with the package")
	}
}
