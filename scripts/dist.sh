#!/usr/bin/env bash
# Release packages: static binaries, tarballs, SHA256SUMS and an SBOM per
# platform, into dist/ (see docs/packaging.md). Reproducible: the same tree
# gives the same bytes, wherever it is checked out, whenever it is built.
#
# Knobs (environment):
#   DIST_DIR           output directory (default dist)
#   DIST_PLATFORMS     space-separated GOOS/GOARCH list
#                      (default linux/amd64 linux/arm64 darwin/amd64 darwin/arm64)
#   VERSION            stamped into the binary (default: git describe, else dev)
#   SOURCE_DATE_EPOCH  file times in the tarballs and the SBOM
#                      (default: the last commit's time; required outside git)
#   GO                 the go command (default go)
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
DIST_DIR=${DIST_DIR:-dist}
DIST_PLATFORMS=${DIST_PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64}
in_git() { git rev-parse --is-inside-work-tree >/dev/null 2>&1; }
if [ -z "${VERSION:-}" ]; then
	VERSION=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
fi
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	if ! in_git; then
		echo "dist: not a git checkout: set SOURCE_DATE_EPOCH" >&2
		exit 2
	fi
	SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
fi
export SOURCE_DATE_EPOCH TZ=UTC LC_ALL=C

# The files every tarball carries besides the binary; missing optional ones
# (LICENSE, schema/ad) are skipped.
payload=(README.md docs conf/production.example.yaml conf/gatehouse.yaml
	conf/dev-directory.ldif conf/demo-rp.secret schema/README.md
	schema/openldap schema/opendj packaging/gatehouse.service packaging/gatehouse.sysusers)
for optional in LICENSE schema/ad; do
	[ -e "$optional" ] && payload+=("$optional")
done

# -trimpath and an empty build ID remove the paths and the randomness;
# vcs stamping (commit, dirty flag) stays on in a checkout: it is a
# function of the tree. GOFLAGS from the environment is ignored on purpose.
buildvcs=false
in_git && buildvcs=true
ldflags="-s -w -buildid= -X main.version=${VERSION}"

mkdir -p "$DIST_DIR"
out=$(cd "$DIST_DIR" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
rm -f "$out"/gatehouse-*.tar.gz "$out"/gatehouse-*.cdx.json "$out"/SHA256SUMS

for platform in $DIST_PLATFORMS; do
	goos=${platform%/*}
	goarch=${platform#*/}
	name="gatehouse-${VERSION}-${goos}-${goarch}"
	root="$stage/$name"
	mkdir -p "$root"
	echo "dist: $name"
	GOFLAGS= CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch \
		"$GO" build -trimpath -buildvcs=$buildvcs -ldflags "$ldflags" -o "$root/gatehouse" ./cmd/gatehouse
	tar -cf - "${payload[@]}" | tar -xf - -C "$root"
	GOFLAGS= "$GO" run ./internal/dist/sbom -version "$VERSION" -platform "$platform" \
		"$root/gatehouse" >"$out/$name.cdx.json"
	chmod -R u=rwX,go=rX "$root"
	tar --sort=name --mtime="@${SOURCE_DATE_EPOCH}" --owner=0 --group=0 --numeric-owner \
		--format=gnu -C "$stage" -cf - "$name" | gzip -n -9 >"$out/$name.tar.gz"
done

cp packaging/gatehouse.service "$out/gatehouse.service"
(cd "$out" && sha256sum gatehouse-*.tar.gz gatehouse-*.cdx.json gatehouse.service >SHA256SUMS)
echo "dist: wrote $(cd "$out" && ls | tr '\n' ' ')"
