#!/usr/bin/env bash
# Drift gate for a pipeline: refreshes the stack's state from Twilio in a preview and fails when
# anything would change, printing which sessions drifted and how, e.g.
#
#   drift-gate: 1 of 4 resources would change
#   s-ttl: update (ttl: 100000 -> 3600)
#
# Usage: drift-gate.sh STACK [more `pulumi preview` arguments, e.g. --cwd infra]
# Exit status: 0 no drift, 1 drift (or other changes), else pulumi's or the report's failure.
# Credentials come from the stack config (twilio:username / twilio:password) or the environment
# (TWILIO_*), as for `up`. --run-program makes the refresh use the current ones rather than those
# saved in state by the last `up`, so the gate keeps working right after a credential rotation.
#   DRIFT_REPORT          path of drift-report.mjs (default: the one beside this script, then
#                         node_modules/pulumi-twilio-proxy/pipelines/drift-report.mjs)
#   DRIFT_GATE_SHOW_DIFF  set to 1 to also print `pulumi preview --diff` when something drifted
#                         (a second refresh: one more Twilio fetch per session)
#   DRIFT_GATE_SAVE       a file to keep the preview JSON in (e.g. for a CI artifact); secret
#                         values appear in it as "[secret]"
set -uo pipefail

if [ $# -lt 1 ] || [ -z "$1" ]; then
  echo "usage: $0 STACK [pulumi preview arguments...]" >&2
  exit 64
fi
stack=$1
shift

here=$(cd "$(dirname "$0")" && pwd)
report=${DRIFT_REPORT:-}
if [ -z "$report" ]; then
  for candidate in "$here/drift-report.mjs" \
    "node_modules/pulumi-twilio-proxy/pipelines/drift-report.mjs"; do
    if [ -f "$candidate" ]; then
      report=$candidate
      break
    fi
  done
fi
if [ -z "$report" ] || [ ! -f "$report" ]; then
  echo "drift-gate: drift-report.mjs not found; set DRIFT_REPORT" >&2
  exit 2
fi

out=$(mktemp "${TMPDIR:-/tmp}/drift-gate.XXXXXX")
trap 'rm -f "$out"' EXIT

# One refresh and one plan. --json makes the plan machine-readable: every step with the live
# (refreshed) inputs as oldState and the declared ones as newState. It replaces the --diff
# view, which DRIFT_GATE_SHOW_DIFF adds back.
pulumi preview --json --refresh --run-program --expect-no-changes --non-interactive \
  --stack "$stack" "$@" >"$out"
preview=$?

node "$report" "$out"
verdict=$?
if [ -n "${DRIFT_GATE_SAVE:-}" ]; then
  cp "$out" "$DRIFT_GATE_SAVE"
fi

case $verdict in
  0)
    if [ "$preview" -ne 0 ]; then
      echo "drift-gate: pulumi preview failed (exit $preview) without proposing changes" >&2
      exit "$preview"
    fi
    exit 0
    ;;
  1)
    if [ "${DRIFT_GATE_SHOW_DIFF:-0}" = 1 ]; then
      pulumi preview --refresh --run-program --diff --non-interactive --stack "$stack" "$@" >&2 ||
        true
    fi
    exit 1
    ;;
  *)
    echo "drift-gate: pulumi preview failed (exit $preview)" >&2
    [ "$preview" -ne 0 ] && exit "$preview"
    exit "$verdict"
    ;;
esac
