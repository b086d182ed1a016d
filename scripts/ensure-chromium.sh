#!/usr/bin/env bash
# The browser tests drive Debian's chromium through playwright-core (test tools never download a
# browser). `npm test` runs this first so that `npm ci && npm test` works on a fresh machine:
# chromium is installed with apt-get once (as root, or with sudo), quietly; the apt log is shown
# only if the install fails.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "ensure-chromium: /usr/bin/chromium is missing; install Debian's chromium package (apt-get install chromium) as root" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: /usr/bin/chromium is missing and apt-get is not available; install chromium at /usr/bin/chromium" >&2
  exit 1
fi
log=$(mktemp)
echo "ensure-chromium: installing Debian's chromium for the browser tests..." >&2
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-chromium: installing chromium with apt-get failed" >&2
  exit 1
fi
rm -f "$log"
