#!/usr/bin/env bash
# Builds the map explorer into web/dist from web/src and the locked npm
# packages. dist is committed, so only someone changing the page runs this.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
node build.mjs "$@"
