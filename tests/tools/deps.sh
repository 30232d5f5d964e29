#!/bin/sh
# deps.sh BUILD_PKGS... -- TEST_PKGS...
# Installs the Debian packages the project needs that are not installed yet.
# As root it runs apt-get update + install; otherwise it prints the command.
missing=""
for p in "$@"; do
    [ "$p" = "--" ] && continue
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: missing Debian packages:$missing"
if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
        echo "deps: apt-get install failed" >&2; exit 1; }
    echo "deps: installed$missing"
else
    echo "deps: run as root:  apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
