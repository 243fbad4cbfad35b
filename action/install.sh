#!/usr/bin/env bash
# The action's install step: cyclops from this repository at the action's ref (the checkout
# GitHub made at $GITHUB_ACTION_PATH), its locked dependencies, then the build (npm's prepare).
# The deploy step runs $GITHUB_ACTION_PATH/bin/cyclops.
#
# When it cannot install, the step fails with one ::error line (the job's annotations) and the
# job summary saying what failed and what to do; npm's own error is above it in the log.
set -uo pipefail

fail() {
  echo "::error title=cyclops::$1"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then printf '### cyclops install: failed\n\n%s\n' "$1" >>"$GITHUB_STEP_SUMMARY"; fi
  exit 1
}

[ -n "${GITHUB_ACTION_PATH:-}" ] || fail "install: GITHUB_ACTION_PATH is not set; this script is a step of the cyclops action (uses: OWNER/cyclops@REF), not a command to run alone"
[ -f "$GITHUB_ACTION_PATH/package.json" ] || fail "install: $GITHUB_ACTION_PATH is not a checkout of cyclops (no package.json); use the action as OWNER/cyclops@REF"
command -v npm >/dev/null 2>&1 || fail "install: npm is not on PATH; the action's setup-node step installs it (check the node-version input)"
cd "$GITHUB_ACTION_PATH" || fail "install: cannot enter $GITHUB_ACTION_PATH"

npm ci --no-audit --no-fund --loglevel=error
code=$?
[ "$code" -eq 0 ] || fail "install: npm ci in $GITHUB_ACTION_PATH failed (exit $code), so cyclops is not installed; npm's error is above (a package-lock.json out of step with package.json at this ref, or the npm registry unreachable from the runner)"

version=$(node bin/cyclops --version) || fail "install: npm ci finished but bin/cyclops --version failed, so the build did not produce a working cyclops at this ref; use a released ref of the action"
echo "cyclops $version installed at $GITHUB_ACTION_PATH"
