#!/usr/bin/env bash
# The README's main job: examples/ open in a real VS Code with the extension loaded for development.
# Desktop VS Code (`code` on PATH): `code --extensionDevelopmentPath`. Otherwise code-server from npm
# on 127.0.0.1 (installed on first use by scripts/install-test-deps.sh), with this checkout linked into
# its extensions folder and examples/ as its default folder: it prints the URL to open — the server's
# root, http://127.0.0.1:8080/ unless that port is taken — and runs until Ctrl-C. After
# `node build.mjs`, reload the window to load the new build. OPEN_WITH=code-server picks code-server
# even where `code` exists; OPEN_VSCODE_PROFILE is the folder for its settings and extensions
# (default .cache/open-vscode); extra arguments go to the launcher (e.g. --port=9000).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

[ -d node_modules ] || { echo "open-vscode: run 'npm ci' first" >&2; exit 1; }
node build.mjs

if [ "${OPEN_WITH:-}" != code-server ] && command -v code >/dev/null 2>&1; then
  exec code --extensionDevelopmentPath="$root" "$root/examples"
fi

scripts/install-test-deps.sh
profile="${OPEN_VSCODE_PROFILE:-$root/.cache/open-vscode}"
exec node "$root/out/e2e/launcher/main.js" \
  --extensionDevelopmentPath="$root" \
  --user-data-dir="$profile/user-data" \
  --extensions-dir="$profile/extensions" \
  --disable-workspace-trust \
  "$root/examples" "$@"
