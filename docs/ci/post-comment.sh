#!/bin/bash
# Post a Markdown file as a comment on the pull request (GitHub) or merge request (GitLab) Jenkins builds:
#   post-comment.sh FILE
# Needs FORGE (github|gitlab), FORGE_API, FORGE_REPO, FORGE_TOKEN and CHANGE_ID (set by Jenkins for a change
# request). The body is JSON-encoded by Python, so any Markdown (quotes, newlines) goes through unchanged.
set -euo pipefail
file=$1
body=$(python3 -c 'import json, sys; print(json.dumps({"body": open(sys.argv[1], encoding="utf-8").read()}))' "$file")
case "$FORGE" in
  github)
    curl -fsS -X POST "$FORGE_API/repos/$FORGE_REPO/issues/$CHANGE_ID/comments" \
      -H "Authorization: Bearer $FORGE_TOKEN" -H "Accept: application/vnd.github+json" \
      -H "X-GitHub-Api-Version: 2022-11-28" --data "$body" > /dev/null ;;
  gitlab)
    curl -fsS -X POST "$FORGE_API/projects/$FORGE_REPO/merge_requests/$CHANGE_ID/notes" \
      -H "PRIVATE-TOKEN: $FORGE_TOKEN" -H "Content-Type: application/json" --data "$body" > /dev/null ;;
  *)
    echo "FORGE must be github or gitlab, not '${FORGE:-}'" >&2; exit 1 ;;
esac
