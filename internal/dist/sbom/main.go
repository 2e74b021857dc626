// Command sbom writes a CycloneDX 1.5 software bill of materials, as JSON,
// for one built gatehouse binary. It reads the module list the Go linker
// stamped into the binary (what `go version -m` shows), so the SBOM names
// exactly the modules that were linked, at the versions and go.sum hashes
// used, with no network access and no tool beyond Go itself.
//
// The output is deterministic: components sorted, no wall-clock time (the
// timestamp is $SOURCE_DATE_EPOCH), and a serial number derived from the
// binary's digest. scripts/dist.sh runs it for every release platform:
//
//	go run ./internal/dist/sbom -version v1.2.0 -platform linux/amd64 path/to/gatehouse
package main

import (
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Getenv); err != nil {
		fmt.Fprintf(os.Stderr, "sbom: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("sbom", flag.ContinueOnError)
	version := fs.String("version", "", "the release version (required)")
	platform := fs.String("platform", "", "GOOS/GOARCH of the binary (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *version == "" || *platform == "" || fs.NArg() != 1 {
		return errors.New("usage: sbom -version V -platform GOOS/GOARCH BINARY")
	}
	when, err := sourceDate(getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		return err
	}
	in, err := readBinary(fs.Arg(0))
	if err != nil {
		return err
	}
	in.Version, in.Platform, in.Time = *version, *platform, when
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(build(in))
}

// sourceDate parses SOURCE_DATE_EPOCH (reproducible-builds.org); without
// it the timestamp is the Unix epoch, never the wall clock.
func sourceDate(v string) (time.Time, error) {
	if v == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	secs, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", v, err)
	}
	return time.Unix(secs, 0).UTC(), nil
}

// readBinary reads the build information and digest of a Go binary.
func readBinary(path string) (input, error) {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return input{}, fmt.Errorf("%s: %w", path, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return input{}, err
	}
	return input{Info: info, Digest: sha256.Sum256(data)}, nil
}
