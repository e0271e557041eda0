# Shell helpers sourced by the scripts in this folder (POSIX sh, so /bin/sh scripts can use them too).

# apt_install PACKAGE [WHAT]: install Debian's PACKAGE (WHAT is missing), or exit saying root is needed.
apt_install() {
    echo "${2:-$1} is missing: installing Debian's package" >&2
    if [ "$(id -u)" != 0 ]; then
        echo "error: need root to apt-get install $1 (or install it yourself)" >&2
        exit 1
    fi
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >&2
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
