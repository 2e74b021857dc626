package schema

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the shipped files instead of comparing them (as go generate does)")

// TestShippedFilesAreGenerated keeps the committed files equal to what the
// definitions render, so the two cannot drift apart.
func TestShippedFilesAreGenerated(t *testing.T) {
	for _, server := range Servers() {
		for _, s := range Sets() {
			path := FilePath(server, s.Name)
			t.Run(path, func(t *testing.T) {
				want, err := Render(server, s)
				if err != nil {
					t.Fatal(err)
				}
				if *update {
					if err := os.WriteFile(filepath.FromSlash(path), want, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				got, err := shipped.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the definitions: run go generate ./schema", path)
				}
			})
		}
	}
}

func TestFilesSelection(t *testing.T) {
	tests := []struct {
		server, kind string
		want         []string
	}{
		{server: ServerOpenLDAP, kind: KindAll, want: []string{"oauth-client", "oauth-authz", "gatehouse"}},
		{server: ServerOpenLDAP, kind: KindClient, want: []string{"oauth-client", "gatehouse"}},
		{server: ServerOpenDJ, kind: KindAuthz, want: []string{"oauth-authz", "gatehouse"}},
	}
	for _, tc := range tests {
		t.Run(tc.server+"/"+tc.kind, func(t *testing.T) {
			files, err := Files(tc.server, tc.kind)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range files {
				got = append(got, f.Name)
				if f.Server != tc.server || f.Path != tc.server+"/"+f.Name+".ldif" || len(f.Data) == 0 {
					t.Errorf("file %+v", f)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("files %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFilesErrors(t *testing.T) {
	if _, err := Files("openldp", KindAll); err == nil || !strings.Contains(err.Error(), `"openldp"`) {
		t.Errorf("unknown server: %v", err)
	}
	if _, err := Files(ServerOpenDJ, "clients"); err == nil || !strings.Contains(err.Error(), `"clients"`) {
		t.Errorf("unknown kind: %v", err)
	}
	if _, err := Render("novell", Sets()[0]); err == nil {
		t.Error("Render for an unknown server succeeded")
	}
}

func TestFilesAreFolded(t *testing.T) {
	for _, server := range Servers() {
		files, err := Files(server, KindAll)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			for i, line := range strings.Split(string(f.Data), "\n") {
				if len(line) > lineWidth && !strings.HasPrefix(line, "#") && !oidLine(line) {
					t.Errorf("%s:%d is %d bytes long", f.Path, i+1, len(line))
				}
			}
		}
	}
}

// oidLine reports an AD file's attributeID or governsID line, which has no
// space to fold at.
func oidLine(line string) bool {
	return strings.HasPrefix(line, "attributeID: ") || strings.HasPrefix(line, "governsID: ")
}
