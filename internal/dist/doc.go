// Package dist holds the checks of what Gatehouse ships besides its code:
// the release tarballs of scripts/dist.sh (built twice, compared byte for
// byte), the systemd unit in packaging/ (systemd-analyze verify and
// security), and the Containerfile (built with podman where the machine
// allows it, always linted by LintContainerfile).
//
// The sbom subdirectory is the program that writes each release's
// CycloneDX bill of materials.
package dist
