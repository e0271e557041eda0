#!/bin/sh
# Build the Docker workspace images the tests use when they are missing (a fast no-op when they exist); called by
# `make test`. Images are built from Debian packages with mmdebstrap, installed from Debian when missing.
set -e
cd "$(dirname "$0")/.."
. scripts/lib.sh
command -v mmdebstrap >/dev/null 2>&1 || apt_install mmdebstrap
.venv/bin/swe-team workspace build-image
# The environment tests run on Python 3.9 (Debian bullseye) with the build layer (compiler, headers).
exec .venv/bin/swe-team workspace build-image --python 3.9 --build-layer
