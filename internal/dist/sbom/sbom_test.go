package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

func sampleInput() input {
	sum := sha256.Sum256([]byte("module files"))
	return input{
		Info: &debug.BuildInfo{
			GoVersion: "go1.26.8",
			Main:      debug.Module{Path: "github.com/gatehouse-idp/gatehouse"},
			Deps: []*debug.Module{
				{Path: "gopkg.in/yaml.v3", Version: "v3.0.1", Sum: "h1:" + base64.StdEncoding.EncodeToString(sum[:])},
				{Path: "github.com/old/thing", Version: "v1.0.0", Replace: &debug.Module{Path: "github.com/new/thing", Version: "v1.1.0"}},
				{Path: "github.com/legacy/lib", Version: "v2.0.0+incompatible", Sum: "h2:unknown"},
			},
			Settings: []debug.BuildSetting{{Key: "-trimpath", Value: "true"}, {Key: "GOOS", Value: "linux"}},
		},
		Digest:   sha256.Sum256([]byte("binary")),
		Version:  "v1.2.0",
		Platform: "linux/arm64",
		Time:     time.Unix(1700000000, 0),
	}
}

func TestBuildDescribesTheBinary(t *testing.T) {
	in := sampleInput()
	b := build(in)
	moduleSum := sha256.Sum256([]byte("module files"))
	wantComps := []struct{ ref, hash string }{
		{"pkg:golang/github.com/legacy/lib@v2.0.0%2Bincompatible", ""},
		{"pkg:golang/github.com/new/thing@v1.1.0", ""},
		{"pkg:golang/gopkg.in/yaml.v3@v3.0.1", hex.EncodeToString(moduleSum[:])},
		{"pkg:golang/std@go1.26.8", ""},
	}
	if len(b.Components) != len(wantComps) {
		t.Fatalf("%d components, want %d: %+v", len(b.Components), len(wantComps), b.Components)
	}
	for i, w := range wantComps {
		c := b.Components[i]
		if c.BOMRef != w.ref || c.PURL != w.ref {
			t.Errorf("component %d: ref %q purl %q, want %q", i, c.BOMRef, c.PURL, w.ref)
		}
		got := ""
		if len(c.Hashes) == 1 {
			got = c.Hashes[0].Content
		}
		if got != w.hash {
			t.Errorf("component %s: hash %q, want %q", c.Name, got, w.hash)
		}
	}
	app := b.Metadata.Component
	if app.PURL != "pkg:golang/github.com/gatehouse-idp/gatehouse@v1.2.0?goarch=arm64&goos=linux" {
		t.Errorf("application purl %q", app.PURL)
	}
	if app.Hashes[0].Content != hex.EncodeToString(in.Digest[:]) {
		t.Errorf("application hash %q is not the binary's digest", app.Hashes[0].Content)
	}
	if b.Metadata.Timestamp != "2023-11-14T22:13:20Z" {
		t.Errorf("timestamp %q, want SOURCE_DATE_EPOCH in UTC", b.Metadata.Timestamp)
	}
	if len(b.Dependencies) != 1 || len(b.Dependencies[0].DependsOn) != len(wantComps) {
		t.Errorf("dependencies %+v, want the application depending on every component", b.Dependencies)
	}
}

func TestSerialIsDeterministic(t *testing.T) {
	a, b := sampleInput(), sampleInput()
	if build(a).SerialNumber != build(b).SerialNumber {
		t.Fatal("same input, different serial numbers")
	}
	b.Digest[0] ^= 1
	if build(a).SerialNumber == build(b).SerialNumber {
		t.Fatal("a different binary kept the serial number")
	}
	s := strings.TrimPrefix(build(a).SerialNumber, "urn:uuid:")
	if len(s) != 36 || s[14] != '8' {
		t.Errorf("serial %q is not a version-8 UUID", s)
	}
}

// TestRunReadsARealBinary uses the test binary itself: a Go binary with
// the linker's module list, like gatehouse.
func TestRunReadsARealBinary(t *testing.T) {
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SOURCE_DATE_EPOCH": "86400"}
	var out1, out2 bytes.Buffer
	for _, out := range []*bytes.Buffer{&out1, &out2} {
		if err := run([]string{"-version", "v0.0.1", "-platform", "linux/amd64", bin}, out, func(k string) string { return env[k] }); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(out1.Bytes(), out2.Bytes()) {
		t.Fatal("two runs on the same binary differ")
	}
	var got bom
	if err := json.Unmarshal(out1.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(data)
	if got.BOMFormat != "CycloneDX" || got.Metadata.Timestamp != "1970-01-02T00:00:00Z" ||
		got.Metadata.Component.Hashes[0].Content != hex.EncodeToString(digest[:]) {
		t.Errorf("unexpected BOM header: %+v", got.Metadata)
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  string
		want string
	}{
		{name: "no binary", args: []string{"-version", "v1", "-platform", "linux/amd64"}, want: "usage"},
		{name: "no version", args: []string{"-platform", "linux/amd64", "x"}, want: "usage"},
		{name: "not a Go binary", args: []string{"-version", "v1", "-platform", "linux/amd64", "sbom_test.go"}, want: "sbom_test.go"},
		{name: "bad SOURCE_DATE_EPOCH", args: []string{"-version", "v1", "-platform", "linux/amd64", "x"}, env: "yesterday", want: "SOURCE_DATE_EPOCH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(tt.args, &bytes.Buffer{}, func(string) string { return tt.env })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run: %v, want an error naming %q", err, tt.want)
			}
		})
	}
}
