#!/usr/bin/env bash
# Usage: ensure-debian.sh BINARY WHAT PACKAGE...: installs Debian's PACKAGEs with apt-get (as root,
# or with sudo), quietly, unless BINARY is already there; WHAT says what needs them. The apt log is
# shown only if the install fails. Test and CI tools come from Debian, never downloaded otherwise.
set -euo pipefail
binary=$1
what=$2
shift 2
[ -x "$binary" ] && exit 0
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "ensure-debian: $binary is missing; install Debian's $* (apt-get install $*) as root" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-debian: $binary is missing and apt-get is not available; install $*" >&2
  exit 1
fi
log=$(mktemp)
echo "ensure-debian: installing Debian's $* for $what..." >&2
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-debian: installing $* with apt-get failed" >&2
  exit 1
fi
rm -f "$log"
