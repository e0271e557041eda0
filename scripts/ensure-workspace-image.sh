#!/bin/sh
# Build the Docker workspace image when it is missing (a fast no-op when it exists); called by `make test`.
set -e
cd "$(dirname "$0")/.."
exec .venv/bin/swe-team workspace build-image
