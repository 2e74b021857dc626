package main

import (
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"time"
)

// input is everything the BOM is made of; build is a pure function of it.
type input struct {
	Info     *buildinfo.BuildInfo
	Digest   [sha256.Size]byte // of the binary
	Version  string
	Platform string // GOOS/GOARCH
	Time     time.Time
}

// The subset of CycloneDX 1.5 (https://cyclonedx.org/docs/1.5/json/) we fill.
type (
	bom struct {
		BOMFormat    string       `json:"bomFormat"`
		SpecVersion  string       `json:"specVersion"`
		SerialNumber string       `json:"serialNumber"`
		Version      int          `json:"version"`
		Metadata     metadata     `json:"metadata"`
		Components   []component  `json:"components"`
		Dependencies []dependency `json:"dependencies"`
	}
	metadata struct {
		Timestamp string    `json:"timestamp"`
		Component component `json:"component"`
	}
	component struct {
		BOMRef     string     `json:"bom-ref"`
		Type       string     `json:"type"`
		Name       string     `json:"name"`
		Version    string     `json:"version"`
		PURL       string     `json:"purl"`
		Hashes     []hash     `json:"hashes,omitempty"`
		Properties []property `json:"properties,omitempty"`
	}
	hash struct {
		Alg     string `json:"alg"`
		Content string `json:"content"`
	}
	property struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	dependency struct {
		Ref       string   `json:"ref"`
		DependsOn []string `json:"dependsOn"`
	}
)

// build makes the BOM: the binary as the described component, every linked
// module and the Go standard library as its components, all direct
// dependencies of the binary (the linker's list is flat).
func build(in input) bom {
	goos, goarch, _ := strings.Cut(in.Platform, "/")
	app := component{
		Type: "application", Name: "gatehouse", Version: in.Version,
		PURL:       purl(in.Info.Main.Path, in.Version) + "?goarch=" + goarch + "&goos=" + goos,
		Hashes:     []hash{{Alg: "SHA-256", Content: hex.EncodeToString(in.Digest[:])}},
		Properties: settings(in.Info.Settings),
	}
	app.BOMRef = app.PURL
	comps := []component{stdlib(in.Info.GoVersion)}
	for _, m := range in.Info.Deps {
		comps = append(comps, library(m))
	}
	sort.Slice(comps, func(i, j int) bool { return comps[i].BOMRef < comps[j].BOMRef })
	refs := make([]string, len(comps))
	for i, c := range comps {
		refs[i] = c.BOMRef
	}
	return bom{
		BOMFormat: "CycloneDX", SpecVersion: "1.5", Version: 1,
		SerialNumber: serial(in.Digest, in.Version, in.Platform),
		Metadata:     metadata{Timestamp: in.Time.UTC().Format(time.RFC3339), Component: app},
		Components:   comps,
		Dependencies: []dependency{{Ref: app.BOMRef, DependsOn: refs}},
	}
}

// library describes one linked module; a replaced module is described by
// its replacement, which is what was compiled.
func library(m *debug.Module) component {
	if m.Replace != nil {
		m = m.Replace
	}
	c := component{Type: "library", Name: m.Path, Version: m.Version, PURL: purl(m.Path, m.Version)}
	c.BOMRef = c.PURL
	if h, ok := h1Hex(m.Sum); ok {
		c.Hashes = []hash{{Alg: "SHA-256", Content: h}}
	}
	return c
}

func stdlib(goVersion string) component {
	c := component{Type: "library", Name: "std", Version: goVersion, PURL: purl("std", goVersion)}
	c.BOMRef = c.PURL
	return c
}

// purl is a Package URL (https://github.com/package-url/purl-spec) of the
// golang type; "+incompatible" needs its plus encoded.
func purl(path, version string) string {
	return "pkg:golang/" + path + "@" + strings.ReplaceAll(version, "+", "%2B")
}

// h1Hex turns a go.sum "h1:" hash (base64 SHA-256 of the module's file
// list) into hex, as CycloneDX wants; other or missing hashes are left out.
func h1Hex(sum string) (string, bool) {
	b64, ok := strings.CutPrefix(sum, "h1:")
	if !ok {
		return "", false
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != sha256.Size {
		return "", false
	}
	return hex.EncodeToString(raw), true
}

// settings records how the binary was built (flags, GOOS, vcs.revision…),
// in the linker's order, which is fixed.
func settings(in []debug.BuildSetting) []property {
	out := make([]property, 0, len(in))
	for _, s := range in {
		out = append(out, property{Name: "cdx:gomod:build:" + s.Key, Value: s.Value})
	}
	return out
}

// serial is a UUID (RFC 9562 version 8, vendor-defined) derived from what
// the BOM describes, so that rebuilding the same release gives the same one.
func serial(digest [sha256.Size]byte, version, platform string) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%x %s %s", digest, version, platform)))
	u := h[:16]
	u[6] = u[6]&0x0f | 0x80
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
