#!/usr/bin/env bash
# Makes a Pulumi CLI, a Node.js language host and the pulumi-resource-pulumi-nodejs shim
# available in one directory, and prints that directory on the last line of stdout.
#
# Order: any `pulumi` 3.x on PATH from the peer range of @pulumi/pulumi (3.216 and later, below
# 4), with its language host; else the cache outside the checkout
# (~/.cache/pulumi-offline/v3.248.0/bin), built once from the Go module proxy.
#
# The language host matching v3.248.0 is an untagged module that the module proxy here refuses
# (403). The script then builds the newest one the proxy serves, from sdk/v3 v3.68.0; it runs
# Pulumi programs with CLI v3.248.0 (checked: up, preview --refresh, destroy). The tests and the
# demo do not need it at all: Automation API inline programs run without a language host.
set -euo pipefail

PULUMI_VERSION=v3.248.0 # what the fallback builds: the version of @pulumi/pulumi pinned here
PEER_MIN_MINOR=216      # package.json peerDependencies: @pulumi/pulumi >=3.216.0 <4
LANGHOST_COMMIT=dc7edd58bc13179f81b80983aab4eb7f74a01b41 # tag pkg/v3.248.0
LANGHOST_FALLBACK=v3.68.0 # the last sdk/v3 that carried nodejs/cmd/pulumi-language-nodejs
CACHE="${PULUMI_OFFLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-offline}/$PULUMI_VERSION"
BIN="$CACHE/bin"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHIM="$ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
export PULUMI_SKIP_UPDATE_CHECK=true

log() { echo "[ensure-pulumi] $*" >&2; }

install_shim() {
  [ -f "$SHIM" ] || {
    log "missing $SHIM: run 'npm ci' first"
    exit 1
  }
  install -m 0755 "$SHIM" "$1/"
}

# `pulumi version` prints e.g. v3.230.0 (or v3.230.0-dev.0): 3.x from the peer range?
in_peer_range() {
  [[ ${1#v} =~ ^3\.([0-9]+)\.[0-9]+ ]] && [ "${BASH_REMATCH[1]}" -ge "$PEER_MIN_MINOR" ]
}

cli_ok() { [ -x "$1/pulumi" ] && [ "$("$1/pulumi" version 2>/dev/null)" = "$PULUMI_VERSION" ]; }
langhost_ok() { [ -x "$1/pulumi-language-nodejs" ]; }

# 1. an installation on PATH from the peer range, with a language host; the shim comes from
#    @pulumi/pulumi when the installation lacks it (a regular installation ships it).
if command -v pulumi >/dev/null 2>&1; then
  dir="$(dirname "$(readlink -f "$(command -v pulumi)")")"
  version="$("$dir/pulumi" version 2>/dev/null || true)"
  if ! in_peer_range "$version"; then
    log "not using pulumi ${version:-of unknown version} from PATH ($dir): not in the peer range (3.$PEER_MIN_MINOR or later, below 4)"
  elif ! langhost_ok "$dir" && ! command -v pulumi-language-nodejs >/dev/null; then
    log "not using pulumi $version from PATH ($dir): no pulumi-language-nodejs beside it or on PATH"
  elif [ ! -x "$dir/pulumi-resource-pulumi-nodejs" ] && [ ! -w "$dir" ]; then
    log "not using pulumi $version from PATH ($dir): no pulumi-resource-pulumi-nodejs, and no write access to add it"
  else
    [ -x "$dir/pulumi-resource-pulumi-nodejs" ] || install_shim "$dir"
    log "using pulumi $version from PATH ($dir)"
    echo "$dir"
    exit 0
  fi
fi

# 2. the cache
mkdir -p "$BIN"
if cli_ok "$BIN" && langhost_ok "$BIN"; then
  log "using cached pulumi $PULUMI_VERSION ($BIN)"
  install_shim "$BIN"
  echo "$BIN"
  exit 0
fi

# 3. build what the cache lacks
if ! command -v go >/dev/null 2>&1; then
  log "no pulumi 3.x (3.$PEER_MIN_MINOR or later) on PATH and no Go toolchain to build it."
  log "Install the Pulumi CLI (https://www.pulumi.com/docs/install/), e.g. $PULUMI_VERSION:"
  log "  curl -fsSL https://get.pulumi.com | sh -s -- --version ${PULUMI_VERSION#v}"
  log "or install Go >= 1.25, and this script builds it from the Go module proxy."
  exit 1
fi

# One build at a time, even when several test workers or a background job ask.
exec 9>"$CACHE/.lock"
flock 9
start=$(date +%s)
export CGO_ENABLED=0
FLAGS=(-mod=mod -trimpath -tags osusergo,grpcnotrace)
STAMP="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"

# `go build -v` prints each package as it compiles: report the count every 30 s.
build() {
  local label=$1 dir=$2 out=$3 pkg=$4 ldflags=$5 logf="$CACHE/$1.log" pid
  (cd "$dir" && go build -v "${FLAGS[@]}" -ldflags "$ldflags" -o "$out.tmp" "$pkg") 2>"$logf" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 30
    kill -0 "$pid" 2>/dev/null &&
      log "  $label: $(grep -c '' "$logf") packages compiled, $(($(date +%s) - start)) s elapsed"
  done
  if ! wait "$pid"; then
    tail -30 "$logf" >&2
    log "building $label failed (log: $logf)"
    exit 1
  fi
  mv "$out.tmp" "$out"
}

# Module downloads are long and chatty: keep them in a log, show it when they fail.
get() {
  go get "$@" >"$CACHE/get.log" 2>&1 || {
    tail -20 "$CACHE/get.log" >&2
    return 1
  }
}

# A wrapper module: `go install pkg@version` refuses modules with replace directives.
wrapper() {
  mkdir -p "$1" && cd "$1" && rm -f go.mod go.sum
  go mod init "local/$(basename "$1")" >/dev/null 2>&1
  go mod edit -replace=github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
}

if ! cli_ok "$BIN"; then
  log "building pulumi $PULUMI_VERSION with $(go version | cut -d' ' -f3) from the Go module proxy:"
  log "about 11 minutes on 2 cores the first time; later runs reuse $CACHE"
  wrapper "$CACHE/build"
  log "step 1: resolving modules"
  get "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" \
    "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$PULUMI_VERSION"
  log "step 2: compiling pulumi (the long part)"
  build pulumi "$CACHE/build" "$BIN/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "-s -w $STAMP"
fi

if ! langhost_ok "$BIN"; then
  log "step 3: the Node.js language host"
  wrapper "$CACHE/build"
  get "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION"
  if get "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@$LANGHOST_COMMIT" 2>/dev/null; then
    build langhost "$CACHE/build" "$BIN/pulumi-language-nodejs" \
      github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 "-s -w"
  else
    log "  the proxy refuses the $PULUMI_VERSION language host; building the one in sdk/v3 $LANGHOST_FALLBACK"
    wrapper "$CACHE/build-langhost"
    get "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs@$LANGHOST_FALLBACK"
    build langhost "$CACHE/build-langhost" "$BIN/pulumi-language-nodejs" \
      github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs "-s -w"
  fi
fi

install_shim "$BIN"
log "ready: pulumi $("$BIN/pulumi" version) in $BIN ($(($(date +%s) - start)) s)"
echo "$BIN"
