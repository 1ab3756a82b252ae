#!/usr/bin/env bash
# CTest label `scale` (not run by `make test`): bench/ui_services.sh with UI_APPS applications (3,000 by default,
# more than a cluster's 2,768 node ports) in waves of UI_WAVE.
set -euo pipefail
ROOT="${SO_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
exec "$ROOT/bench/ui_services.sh" "${UI_APPS:-3000}" "${UI_WAVE:-500}" "$(dirname "${SO_BIN_DIR:-$ROOT/build/bin}")"
