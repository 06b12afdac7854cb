#!/usr/bin/env bash
# Makes pulumi v3.248.0 and the pulumi-resource-pulumi-nodejs shim available in one
# directory (plus pulumi-language-nodejs when the Go module proxy serves it), and prints
# that directory on the last line.
# The tests and the demo drive the engine through Automation API inline programs, which
# need no language host: the proxy refuses the untagged language-host module (403).
# Order: a matching `pulumi` on PATH, then the cache, then a build from the Go module proxy.
# The cache lives outside the checkout so fresh clones and CI reuse it.
set -euo pipefail

PULUMI_VERSION=v3.248.0
LANGHOST_COMMIT=dc7edd58bc13179f81b80983aab4eb7f74a01b41 # tag pkg/v3.248.0
CACHE="${PULUMI_OFFLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-offline}/$PULUMI_VERSION"
BIN="$CACHE/bin"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHIM="$ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
export PULUMI_SKIP_UPDATE_CHECK=true

log() { echo "[ensure-pulumi] $*" >&2; }

install_shim() {
  [ -f "$SHIM" ] || { log "missing $SHIM: run 'npm ci' first"; exit 1; }
  install -m 0755 "$SHIM" "$1/"
}

# 1. a matching CLI already on PATH (with its language host beside it or on PATH)
if command -v pulumi >/dev/null 2>&1 && [ "$(pulumi version 2>/dev/null)" = "$PULUMI_VERSION" ]; then
  dir="$(dirname "$(readlink -f "$(command -v pulumi)")")"
  if [ -w "$dir" ] || [ -x "$dir/pulumi-resource-pulumi-nodejs" ]; then
    [ -x "$dir/pulumi-resource-pulumi-nodejs" ] || install_shim "$dir"
    log "using pulumi $PULUMI_VERSION from PATH ($dir)"
    echo "$dir"
    exit 0
  fi
fi

mkdir -p "$BIN"
# 2. the cache
if [ -x "$BIN/pulumi" ] && [ "$("$BIN/pulumi" version 2>/dev/null)" = "$PULUMI_VERSION" ]; then
  log "using cached pulumi $PULUMI_VERSION ($BIN)"
  install_shim "$BIN"
  echo "$BIN"
  exit 0
fi

# 3. build
if ! command -v go >/dev/null 2>&1; then
  log "no pulumi $PULUMI_VERSION on PATH and no Go toolchain to build it."
  log "Install the Pulumi CLI $PULUMI_VERSION (https://www.pulumi.com/docs/install/),"
  log "e.g. 'curl -fsSL https://get.pulumi.com | sh -s -- --version ${PULUMI_VERSION#v}',"
  log "or install Go >= 1.25 so this script can build it from the Go module proxy."
  exit 1
fi

# One build at a time, even when several test workers or a background job ask.
exec 9>"$CACHE/.lock"
log "waiting for the build lock ($CACHE/.lock)"
flock 9
if [ -x "$BIN/pulumi" ] && [ "$("$BIN/pulumi" version 2>/dev/null)" = "$PULUMI_VERSION" ]; then
  install_shim "$BIN"
  echo "$BIN"
  exit 0
fi

start=$(date +%s)
export CGO_ENABLED=0
log "building pulumi $PULUMI_VERSION from the Go module proxy with $(go version | cut -d' ' -f3)."
log "A cold build takes 20-40 minutes on 2 cores; later runs reuse $CACHE."
mkdir -p "$CACHE/build"
cd "$CACHE/build"
rm -f go.mod go.sum
go mod init local/pulumi-build >/dev/null 2>&1
go mod edit -replace=github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
log "step 1/4: resolving modules"
go get github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION >&2
go get github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$PULUMI_VERSION >&2
LANGHOST=yes
go get github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@$LANGHOST_COMMIT >&2 || {
  LANGHOST=no
  log "the module proxy does not serve pulumi-language-nodejs; building the CLI only"
  log "(inline Automation API programs, used by the tests and the demo, do not need it)"
}
go list -m github.com/pulumi/pulumi/pkg/v3 github.com/pulumi/pulumi/sdk/v3 >&2

LDFLAGS="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
FLAGS=(-mod=mod -trimpath -tags osusergo,grpcnotrace -ldflags "$LDFLAGS")

# Progress: print every 30 s how many packages have been compiled so far.
progress() {
  local label=$1 pid=$2 n=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 30
    n=$(grep -c '^' "$CACHE/build/$label.log" 2>/dev/null || echo 0)
    log "  $label: $n packages compiled, $(($(date +%s) - start)) s elapsed"
  done
}
build() {
  local label=$1 out=$2 pkg=$3
  go build -v "${FLAGS[@]}" -o "$out.tmp" "$pkg" 2>"$CACHE/build/$label.log" &
  local pid=$!
  progress "$label" "$pid" &
  local ppid=$!
  if ! wait "$pid"; then
    kill "$ppid" 2>/dev/null || true
    tail -30 "$CACHE/build/$label.log" >&2
    log "build of $label failed (log: $CACHE/build/$label.log)"
    exit 1
  fi
  kill "$ppid" 2>/dev/null || true
  mv "$out.tmp" "$out"
}
log "step 2/4: compiling pulumi (the long part)"
build pulumi "$BIN/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
if [ "$LANGHOST" = yes ]; then
  log "step 3/4: compiling pulumi-language-nodejs"
  build langhost "$BIN/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
fi
log "step 4/4: installing the dynamic-provider shim"
install_shim "$BIN"
log "built pulumi $("$BIN/pulumi" version) in $(($(date +%s) - start)) s"
echo "$BIN"
