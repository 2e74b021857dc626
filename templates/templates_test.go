package templates

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEmbeddedPagesRender(t *testing.T) {
	r, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	if err := r.Home(rec, HomePage{Issuer: "https://idp.example", DiscoveryURL: "/d", JWKSURL: "/k"}); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "https://idp.example") {
		t.Errorf("home page: status %d, body %q", rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}

	rec = httptest.NewRecorder()
	err = r.Error(rec, http.StatusBadRequest, ErrorPage{Title: "Oops", Message: "<script>x</script>", Code: "invalid_request"})
	if err != nil {
		t.Fatal(err)
	}
	body := rec.Body.String()
	if rec.Code != http.StatusBadRequest {
		t.Errorf("error page status = %d", rec.Code)
	}
	if strings.Contains(body, "<script>x") || !strings.Contains(body, "&lt;script&gt;x") {
		t.Errorf("message not escaped: %s", body)
	}
	if !strings.Contains(body, "invalid_request") {
		t.Error("error code missing from page")
	}
}

func TestOverrideDirectory(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "home.html"), `{{define "content"}}<p>custom {{.Issuer}}</p>{{end}}`)
	write(t, filepath.Join(dir, "static", "style.css"), `body{color:red}`)
	r, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	if err := r.Home(rec, HomePage{Issuer: "iss"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rec.Body.String(), "<p>custom iss</p>") {
		t.Errorf("override not used: %s", rec.Body.String())
	}
	rec = httptest.NewRecorder()
	if err := r.Error(rec, 400, ErrorPage{Title: "t", Message: "embedded error page"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rec.Body.String(), "embedded error page") {
		t.Error("pages without an override should come from the embedded set")
	}
	rec = httptest.NewRecorder()
	r.Static().ServeHTTP(rec, httptest.NewRequest("GET", "/style.css", nil))
	if rec.Body.String() != "body{color:red}" {
		t.Errorf("static override not served: %q", rec.Body.String())
	}
}

func TestBrokenOverrideFailsAtLoad(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content string
		wantErr string
	}{
		{name: "syntax error", file: "error.html", content: `{{define "content"}}{{.Message`, wantErr: "template error.html"},
		{name: "missing base", file: "base.html", content: `no base defined here`, wantErr: `no {{define "base"}} block`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, tc.file), tc.content)
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "nope")); err == nil || !strings.Contains(err.Error(), "templates.dir") {
		t.Errorf("missing dir error = %v", err)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
