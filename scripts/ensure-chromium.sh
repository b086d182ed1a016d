#!/usr/bin/env bash
# The browser tests drive Debian's chromium through playwright-core (test tools never download a
# browser). `npm test` runs this first so that `npm ci && npm test` works on a fresh machine:
# chromium is installed with apt-get once (scripts/ensure-debian.sh).
set -euo pipefail
exec bash "$(dirname "$0")/ensure-debian.sh" /usr/bin/chromium "the browser tests" chromium
