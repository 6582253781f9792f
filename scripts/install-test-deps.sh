#!/usr/bin/env bash
# Installs what the end-to-end tests and `npm run open` need beyond `npm ci`, offline except for
# the npm registry and Debian's apt: Debian's chromium, ripgrep and libkrb5-dev, and code-server
# (the real VS Code server, from npm) in .cache/code-server. Idempotent: when everything is in
# place it checks and returns in about a second.
#
# code-server lives in its own folder, not in the main package.json: it is ~300 MB with native
# modules built from source, so keeping it out keeps the main `npm ci` fast and independent of apt.
#
# CODE_SERVER_DIR overrides the install folder (default: <repo>/.cache/code-server).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
manifest="$root/scripts/code-server"
prefix="${CODE_SERVER_DIR:-$root/.cache/code-server}"

say() { printf 'install-test-deps: %s\n' "$*"; }
die() { printf 'install-test-deps: ERROR: %s\n' "$*" >&2; exit 1; }

# --- Debian packages --------------------------------------------------------------------------
# chromium: the browser the workbench runs in; ripgrep: the `rg` that @vscode/ripgrep would
# otherwise download from GitHub; libkrb5-dev: kerberos (a VS Code dependency) builds from source;
# python3, make, g++: node-gyp for node-pty, kerberos, spdlog, native-watchdog and argon2.
install_apt_packages() {
  local wanted=(chromium ripgrep libkrb5-dev python3 make g++) missing=() pkg
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "missing Debian packages (${missing[*]}) and not root: install them with apt-get"
    sudo=(sudo)
  fi
  say "apt-get install ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# --- code-server --------------------------------------------------------------------------------
cs="$prefix/node_modules/code-server"
vs="$cs/lib/vscode/node_modules"

# Every install script that must have run, checked by loading its result: argon2 (code-server),
# and the native modules of code-server's nested `npm install` in lib/vscode, whose scripts npm
# runs as "not yet covered by allowScripts" (that package.json is code-server's, not ours).
verify_code_server() {
  [ -f "$cs/out/node/entry.js" ] || return 1
  [ -L "$cs/lib/vscode/node_modules.asar" ] || return 1 # made by code-server's postinstall
  [ -x "$vs/@vscode/ripgrep/bin/rg" ] && "$vs/@vscode/ripgrep/bin/rg" --version >/dev/null || return 1
  node -e '
    const { createRequire } = require("node:module");
    const [cs, vs] = process.argv.slice(1);
    require(cs + "/node_modules/argon2");
    const vscodeRequire = createRequire(vs + "/");
    for (const m of ["node-pty", "kerberos", "@vscode/spdlog", "native-watchdog", "@parcel/watcher"]) vscodeRequire(m);
  ' "$prefix" "$vs" 2>/dev/null || return 1
}

stamp_file="$prefix/.installed"
stamp() { cat "$manifest/package.json" "$manifest/package-lock.json" "$manifest/.npmrc"; node -p process.version; }

# @vscode/ripgrep's postinstall downloads ripgrep from GitHub unless its cache already holds the
# asset: a tarball with `rg` at its root, under os.tmpdir() (npm's lifecycle keeps TMPDIR).
prepare_ripgrep_cache() {
  local rg cache tar work
  rg=$(command -v rg) || die "rg not found: apt-get install ripgrep"
  cache="$(node -p "require('os').tmpdir()")/vscode-ripgrep-cache-1.15.11"
  tar="$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
  mkdir -p "$cache"
  work=$(mktemp -d)
  cp "$rg" "$work/rg"
  chmod 755 "$work/rg"
  tar -czf "$tar.tmp" -C "$work" rg
  mv "$tar.tmp" "$tar"
  rm -rf "$work"
}

# node-gyp must build against this Node's headers, never download them (nodejs.org is not
# reachable): use Debian's when npm is not already told where they are.
ensure_node_headers() {
  local nodedir
  nodedir=$(npm config get nodedir 2>/dev/null || true)
  if [ -z "$nodedir" ] || [ "$nodedir" = "undefined" ] || [ "$nodedir" = "null" ]; then
    local h=/usr/include/node/node_version.h
    if [ -f "$h" ] && [ "v$(awk '/define NODE_(MAJOR|MINOR|PATCH)_VERSION/ {printf "%s%s", sep, $3; sep="."}' "$h")" = "$(node -p process.version)" ]; then
      export npm_config_nodedir=/usr
    else
      say "warning: npm has no nodedir and /usr/include/node does not match $(node -p process.version): node-gyp may try to download headers"
    fi
  fi
}

install_code_server() {
  [ "$(node -p 'process.versions.node.split(".")[0]')" = 20 ] ||
    die "code-server 4.100.3 needs Node 20, this is $(node -p process.version)"
  if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$(stamp)" ] && verify_code_server; then
    say "code-server ready in $prefix"
    return 0
  fi
  local started=$SECONDS
  say "installing code-server into $prefix (a few minutes on a fresh machine)"
  prepare_ripgrep_cache
  ensure_node_headers
  rm -rf "$prefix"
  mkdir -p "$prefix"
  cp "$manifest/package.json" "$manifest/package-lock.json" "$manifest/.npmrc" "$prefix/"
  # JOBS: node-gyp builds with every core.
  (cd "$prefix" && JOBS="${JOBS:-max}" npm ci --no-audit --no-fund) ||
    die "npm ci of code-server failed (see above)"
  verify_code_server || die "code-server installed, but a native module or ripgrep is missing or does not load:
  an install script did not run. npm must run the scripts of argon2, code-server and, inside
  lib/vscode, node-pty, kerberos, @vscode/spdlog, native-watchdog, @parcel/watcher, @vscode/ripgrep."
  stamp >"$stamp_file"
  say "code-server installed in $((SECONDS - started)) s"
}

install_apt_packages
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium missing after apt-get"
install_code_server
