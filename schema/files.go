package schema

import (
	"embed"
	"fmt"
	"path"
	"slices"
)

//go:generate go run ./internal/gen

// shipped holds the generated files. They are committed, so that operators
// can read and load them without Go, and a test keeps them equal to what
// Render makes of the definitions.
//
//go:embed openldap/*.ldif opendj/*.ldif ad/*.ldif
var shipped embed.FS

// File is one shipped schema file.
type File struct {
	Server string // ServerOpenLDAP, ServerOpenDJ or ServerAD
	Name   string // the set's name, e.g. "oauth-client"
	Path   string // within the schema directory, e.g. "openldap/oauth-client.ldif"
	Data   []byte
}

// Files returns the shipped files for a server (ServerOpenLDAP,
// ServerOpenDJ or ServerAD) and a kind (KindClient, KindAuthz or KindAll), in load
// order. Gatehouse's own file belongs to every kind: both its classes are
// needed as soon as Gatehouse writes either kind of entry.
func Files(server, kind string) ([]File, error) {
	if !slices.Contains(Servers(), server) {
		return nil, unknownServer(server)
	}
	if kind != KindClient && kind != KindAuthz && kind != KindAll {
		return nil, fmt.Errorf("unknown schema kind %q (want %s, %s or %s)", kind, KindClient, KindAuthz, KindAll)
	}
	var files []File
	for _, s := range Sets() {
		if !s.For(kind) {
			continue
		}
		p := FilePath(server, s.Name)
		data, err := shipped.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("shipped schema: %w", err) // only if go generate was not run
		}
		files = append(files, File{Server: server, Name: s.Name, Path: p, Data: data})
	}
	return files, nil
}

// FilePath is where the file of a set for a server lives, relative to the
// schema directory.
func FilePath(server, name string) string {
	return path.Join(server, name+".ldif")
}
