#!/usr/bin/env bash
# Every C++ file is formatted as .clang-format says (Google style, 120 columns): fix with
#   git ls-files '*.cc' '*.h' | xargs clang-format -i
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
command -v clang-format >/dev/null || { echo "format_check: clang-format is not installed (make deps)"; exit 1; }
mapfile -t files < <(git ls-files '*.cc' '*.h')
((${#files[@]} > 0)) || { echo "format_check: no C++ files found"; exit 1; }
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/format_check.$$; then
  grep -o '^[^:]*\.\(cc\|h\)' /tmp/format_check.$$ | sort -u | sed 's/^/not formatted: /'
  rm -f /tmp/format_check.$$
  exit 1
fi
rm -f /tmp/format_check.$$
echo "format_check: ${#files[@]} files formatted"
