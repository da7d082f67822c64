#!/bin/bash
# CI step for the SIP interop test: installs Kamailio and SIPp from Debian when they are missing
# (needs root or sudo), then runs the tests tagged "interop" with skipping turned into failure
# (-Dinterop.required=true), so a CI machine without the tools cannot pass silently.
# Run from anywhere; takes about a minute once the packages are installed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$ROOT"

PACKAGES="sip-tester kamailio kamailio-extra-modules kamailio-json-modules"
if ! command -v kamailio > /dev/null || ! command -v sipp > /dev/null; then
  if [ "$(id -u)" = 0 ]; then
    SUDO=""
  elif command -v sudo > /dev/null; then
    SUDO="sudo"
  else
    echo "interop: kamailio/sipp missing and neither root nor sudo to install them ($PACKAGES)" >&2
    exit 1
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PACKAGES
fi

mvn -B -q test -Dgroups=interop -Dexcluded.test.groups=benchmark -Dinterop.required=true \
  -Dsurefire.failIfNoSpecifiedTests=false "$@"
