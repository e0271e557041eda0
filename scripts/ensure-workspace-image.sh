#!/bin/sh
# Build the Docker workspace image when it is missing (a fast no-op when it exists); called by `make test`.
# The image is built from Debian packages with mmdebstrap, installed from Debian when missing.
set -e
cd "$(dirname "$0")/.."
. scripts/lib.sh
command -v mmdebstrap >/dev/null 2>&1 || apt_install mmdebstrap
exec .venv/bin/swe-team workspace build-image
