#!/usr/bin/env bash
# Fetches one npm package into the cache folder, atomically: the folder appears only complete.
# usage: npm-fetch.sh <package@version> <destination folder>
# exit 3: npm is not installed; exit 4: the download or unpacking failed.
set -u
spec="$1"; dest="$2"
[ -f "$dest/.complete" ] && exit 0
command -v npm >/dev/null 2>&1 || exit 3
parent=$(dirname "$dest")
mkdir -p "$parent" || exit 4
work=$(mktemp -d "$parent/.fetch.XXXXXX") || exit 4
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 4
npm pack "$spec" --silent --loglevel=error >pack.log 2>&1 || { cat pack.log >&2; exit 4; }
tar xzf ./*.tgz || exit 4
touch package/.complete
# Another build may have won the race: then its complete copy stays and ours is dropped.
mv -T package "$dest" 2>/dev/null || [ -f "$dest/.complete" ] || exit 4
exit 0
