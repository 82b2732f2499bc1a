#!/usr/bin/env bash
# Fails on lit directives that lit would silently ignore: a RUN, CHECK or
# expected-error line without its colon (e.g. "// RUN cgnet-opt").
# Usage: check-run-lines.sh DIR...
set -u
status=0
for dir in "$@"; do
  while IFS= read -r hit; do
    echo "malformed lit directive: $hit"
    status=1
  done < <(grep -rnE --include='*.mlir' --include='*.test' \
      '^[[:space:]]*(//|#|;)[[:space:]]*(RUN|CHECK(-[A-Z]+)?|[A-Z0-9_]+-(LABEL|NEXT|SAME|NOT|DAG))([[:space:]]|$)' "$dir" \
      | grep -vE '(RUN|CHECK[A-Z-]*|LABEL|NEXT|SAME|NOT|DAG):' )
done
if [ $status -eq 0 ]; then echo "lint-run-lines: ok"; fi
exit $status
