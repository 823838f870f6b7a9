#!/bin/sh
# Debian packages the tests and benchmarks drive: headless Chromium (browser tests), wrk (bench)
# and nginx (the load-balancer test of several instances).
# Installed only when missing; needs root (CI runs as root), as apt does.
set -e
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing system packages:$missing (run: sudo apt-get install$missing)" >&2
  exit 1
fi
echo "installing system packages:$missing"
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
