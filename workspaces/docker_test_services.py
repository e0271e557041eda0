"""What each test service is: its Debian packages, the command its container runs, the names it answers to, the
ports it is ready on.

httpbin answers as `httpbin` and as `httpbin.org`, over HTTP (80) and HTTPS (443), since tests also name
https://httpbin.org outright; gunicorn with gevent workers serves it, as on httpbin.org. Its certificate is signed
by a CA the container makes when it starts (the key never leaves it); the CA's certificate goes to the trust
volume, which the workspace mounts read-only and points `SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE` and `CURL_CA_BUNDLE`
at. Nothing outside the job's network trusts it.

Code that verifies against a CA bundle of its own ignores those variables (requests before 2.16 reads the
`cacert.pem` it vendors whenever a prepared request is sent without `Session.request`), so the trust volume also
holds a `sitecustomize` module, on the workspace's `PYTHONPATH`, that makes every `ssl.SSLContext` loading CA
certificates load the services' CA as well: the workspace's Python trusts the services as a machine trusts a CA
in its store, whatever bundle the code names.
"""

from __future__ import annotations

from dataclasses import dataclass

from workspaces.environment.test_network import HTTPBIN, SERVICE_ENVIRONMENT

TRUST_IN_SERVICE = "/srv/trust"
TRUST_IN_WORKSPACE = "/opt/swe-team-trust"
CA_FILE = "test-services-ca.pem"
PYTHON_HOOK_DIR = "python"
CA_VARIABLE = "SWE_TEAM_TEST_SERVICES_CA"
TRUST_ENVIRONMENT = {
    **{variable: f"{TRUST_IN_WORKSPACE}/{CA_FILE}"
       for variable in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", CA_VARIABLE)},
    "PYTHONPATH": f"{TRUST_IN_WORKSPACE}/{PYTHON_HOOK_DIR}",
}

TRUST_EVERY_BUNDLE = f"""# From swe-team: every TLS context trusts the test services' CA, also one given a bundle.
import os
import ssl

_SERVICES_CA = os.environ.get("{CA_VARIABLE}", "")
if _SERVICES_CA and os.path.isfile(_SERVICES_CA):
    _load_verify_locations = ssl.SSLContext.load_verify_locations

    def _also_the_services_ca(self, cafile=None, capath=None, cadata=None):
        _load_verify_locations(self, cafile, capath, cadata)
        if cafile != _SERVICES_CA:
            _load_verify_locations(self, _SERVICES_CA)

    ssl.SSLContext.load_verify_locations = _also_the_services_ca
"""
"""The `sitecustomize` module of the workspace's Python when test services run (see the module's docstring)."""

_CERTIFICATES = f"""set -e
cd /tmp
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=swe-team test services CA" \\
  -keyout ca.key -out ca.pem -addext "basicConstraints=critical,CA:TRUE" \\
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=%s\\nbasicConstraints=CA:FALSE\\nkeyUsage=critical,digitalSignature,keyEncipherment\\n\
extendedKeyUsage=serverAuth\\nsubjectKeyIdentifier=hash\\nauthorityKeyIdentifier=keyid,issuer\\n' "$2" > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -extfile server.ext \\
  -out server.pem 2>/dev/null
mkdir -p {TRUST_IN_SERVICE}/{PYTHON_HOOK_DIR}
cat > {TRUST_IN_SERVICE}/{PYTHON_HOOK_DIR}/sitecustomize.py <<'SWE_TEAM_HOOK'
{TRUST_EVERY_BUNDLE}SWE_TEAM_HOOK
cp ca.pem {TRUST_IN_SERVICE}/{CA_FILE}.new && mv {TRUST_IN_SERVICE}/{CA_FILE}.new {TRUST_IN_SERVICE}/{CA_FILE}
"""

_GUNICORN = "/usr/bin/gunicorn --worker-class gevent --workers 1 --worker-tmp-dir /tmp httpbin:app"
SERVE_HTTPBIN = (
    f"{_GUNICORN} --bind 0.0.0.0:443 --certfile /tmp/server.pem --keyfile /tmp/server.key & "
    f"exec {_GUNICORN} --bind 0.0.0.0:80"
)
"""httpbin as httpbin.org serves it, under gunicorn with gevent workers: connections kept alive, and request bodies
sent chunked accepted (httpbin refuses those with 501 under any other server, Werkzeug's included)."""


@dataclass(frozen=True)
class ServiceSpec:
    packages: tuple[str, ...]
    serve: str
    """The shell command that serves, after the certificates are made."""
    names: tuple[str, ...]
    ports: tuple[int, ...]
    environment: dict[str, str]
    """What the workspace's commands are told of it, besides the trust variables."""

    def aliases(self, stand_ins: list[str]) -> list[str]:
        """The names it answers to on the test network: its own, then the public sites it stands in for."""
        return [*self.names, *(name for name in stand_ins if name not in self.names)]

    def command(self, stand_ins: list[str]) -> list[str]:
        """The container's command: make the CA and a certificate for every alias, then serve."""
        alt_names = ",".join(f"DNS:{name}" for name in self.aliases(stand_ins))
        return ["sh", "-c", f"{_CERTIFICATES}exec {self.serve}", "service", self.names[-1], alt_names]


SERVICES = {
    HTTPBIN: ServiceSpec(
        packages=("python3-httpbin", "gunicorn", "python3-gevent", "openssl"),
        serve=SERVE_HTTPBIN,
        names=(HTTPBIN, "httpbin.org"),
        ports=(80, 443),
        environment=SERVICE_ENVIRONMENT[HTTPBIN],
    ),
}
