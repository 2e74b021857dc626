// Command gen writes the shipped schema files from the definitions in
// package schema. "go generate ./schema" runs it in the schema directory.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gatehouse-idp/gatehouse/schema"
)

func main() {
	if err := generate("."); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func generate(dir string) error {
	for _, server := range schema.Servers() {
		for _, s := range schema.Sets() {
			data, err := schema.Render(server, s)
			if err != nil {
				return err
			}
			path := filepath.Join(dir, filepath.FromSlash(schema.FilePath(server, s.Name)))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
