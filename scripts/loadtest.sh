#!/usr/bin/env bash
# Runs every load scenario against a private OpenLDAP and a freshly built
# gatehouse, and prints one table: what `make loadtest` does. The first
# row is the limit server (docs/performance.md), and every other row shows
# its rate as a ratio of it (column "× limit").
#
#   scripts/loadtest.sh [extra gatehouse-load flags, e.g. -json or -rate 200]
#
# Environment: GO (go), USERS (200), N (2000 iterations per scenario),
# WORKERS (32), DURATION (60s per scenario at most).
# Needs slapd (scripts/test-deps.sh installs it); everything runs on
# loopback and is removed afterwards.
set -euo pipefail

cd "$(dirname "$0")/.."
GO=${GO:-go}
USERS=${USERS:-200}
N=${N:-2000}
WORKERS=${WORKERS:-32}
DURATION=${DURATION:-60s}

mkdir -p bin
"$GO" build -trimpath -o bin/gatehouse ./cmd/gatehouse
"$GO" build -trimpath -o bin/gatehouse-load ./cmd/gatehouse-load

echo "loadtest: $(nproc 2>/dev/null || echo '?') CPUs, $USERS users, $N iterations x $WORKERS workers per scenario" >&2
exec bin/gatehouse-load -self-hosted -gatehouse bin/gatehouse \
	-user-count "$USERS" -n "$N" -workers "$WORKERS" -duration "$DURATION" "$@"
