#!/bin/sh
# Build the Docker workspace image when it is missing (a fast no-op when it exists); called by `make test`.
# The image is built from Debian packages with mmdebstrap, installed from Debian when missing.
set -e
cd "$(dirname "$0")/.."
if ! command -v mmdebstrap >/dev/null 2>&1; then
    echo "mmdebstrap is missing: installing Debian's package" >&2
    if [ "$(id -u)" != 0 ]; then
        echo "error: need root to apt-get install mmdebstrap (or install it yourself)" >&2
        exit 1
    fi
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >&2
fi
exec .venv/bin/swe-team workspace build-image
