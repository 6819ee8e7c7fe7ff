#!/usr/bin/env bash
# Fails when a C file of hoist differs from what clang-format (with the
# repository's .clang-format) would make of it, and names the files.
set -u
cd "$(dirname "$0")/.."
# Source folders only: a build tree (any name) holds generated C files.
files=$(git ls-files -co --exclude-standard -- 'cmd/*.[ch]' 'lib/*.[ch]' 'simulator/*.[ch]' \
    'test/*.[ch]' 'examples/*.[ch]' | grep -vE '^test/[^/]*/(build|b)/' || true)
[ -n "$files" ] || exit 0
bad=0
for f in $files; do
    [ -f "$f" ] || continue
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
        echo "format: $f is not clang-formatted (run: clang-format -i $f)"
        bad=$((bad + 1))
    fi
done
[ "$bad" -eq 0 ] && echo "format: all files clang-formatted"
exit $((bad > 0))
