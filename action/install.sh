#!/usr/bin/env bash
# The action's install step: cyclops from this repository at the action's ref (the checkout
# GitHub made at $GITHUB_ACTION_PATH), its locked dependencies, then the build (npm's prepare).
# The deploy step runs $GITHUB_ACTION_PATH/bin/cyclops.
set -euo pipefail
cd "$GITHUB_ACTION_PATH"
npm ci --no-audit --no-fund --loglevel=error
node bin/cyclops --version
