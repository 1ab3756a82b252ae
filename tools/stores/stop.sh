#!/usr/bin/env bash
# Stops the object-store server that tools/stores/start.sh started in <dir>; its data stays for a later start.
#   tools/stores/stop.sh <dir>
set -euo pipefail
# shellcheck source=stores.bash
source "$(dirname "${BASH_SOURCE[0]}")/stores.bash"
(($# == 1)) || { echo "usage: $0 <dir>" >&2; exit 2; }
stores_stop "$1"
