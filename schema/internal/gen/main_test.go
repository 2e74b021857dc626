package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/gatehouse-idp/gatehouse/schema"
)

// TestGenerate writes the files into a fresh directory and compares them
// with the committed ones, as "go generate" would leave them.
func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	if err := generate(dir); err != nil {
		t.Fatal(err)
	}
	for _, server := range schema.Servers() {
		files, err := schema.Files(server, schema.KindAll)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, f.Data) {
				t.Errorf("%s: generated file differs from the committed one", f.Path)
			}
		}
	}
}
