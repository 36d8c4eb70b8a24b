"""A token service for docker-registry's `auth.token`: real JWTs, signed by a key it certifies.

It checks Basic credentials, grants what each scope asks for (repository
actions; the catalog only when `grant_catalog`), and records who asked
for which scopes. Tests tell it to refuse everyone, to leave the catalog
out, or to sign the next tokens with a key the registry does not trust.
"""
from __future__ import annotations

import base64
import datetime
import json
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

from tests.providers.server import QuietHandler, serve

SERVICE, ISSUER = "preheat-test-registry", "preheat-test-tokens"


def signing_key(folder: Path) -> tuple[ec.EllipticCurvePrivateKey, bytes]:
    """A P-256 key and its self-signed certificate (DER), written as the registry's root bundle."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "token-root.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert.public_bytes(serialization.Encoding.DER)


def jwt(key, cert_der: bytes, claims: dict) -> str:
    """An ES256 JWT naming its certificate in `x5c`, as docker-registry verifies it."""
    header = {"typ": "JWT", "alg": "ES256", "x5c": [base64.b64encode(cert_der).decode()]}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenHandler(QuietHandler):
    """GET /token?service=&scope=...: a JWT for valid Basic credentials (or anonymous pulls)."""

    def do_GET(self):
        state = self.server.state
        query = parse_qs(urlsplit(self.path).query)
        user = self._user()
        scopes = [scope for each in query.get("scope", []) for scope in each.split()]
        state["asked"].append((user, scopes))
        if state["refuse"] or user is False or (user is None and not state["anonymous"]):
            return self.send_json(401, {"details": "incorrect username or password"})
        key, cert = state["untrusted"] if state["bad_tokens"] > 0 else state["key"]
        state["bad_tokens"] -= 1
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": user or "", "aud": query.get("service", [""])[0],
                  "exp": now + state["expires_in"], "nbf": now - 1, "iat": now,
                  "jti": uuid.uuid4().hex, "access": self._grants(scopes, user)}
        field = state["field"]
        self.send_json(200, {field: jwt(key, cert, claims), "expires_in": state["expires_in"],
                             "issued_at": datetime.datetime.now(datetime.timezone.utc)
                             .isoformat().replace("+00:00", "Z")})

    def _user(self):
        """The authenticated user name, None when anonymous, False for wrong credentials."""
        header = self.headers.get("Authorization", "")
        if not header:
            return None
        try:
            user, _, password = base64.b64decode(header.removeprefix("Basic ")).decode() \
                .partition(":")
        except ValueError:
            return False
        return user if self.server.state["users"].get(user) == password else False

    def _grants(self, scopes, user) -> list[dict]:
        grants = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            wanted = actions.split(",")
            if kind == "registry" and not self.server.state["grant_catalog"]:
                continue
            if user is None:  # anonymous: pulls only
                wanted = [action for action in wanted if action == "pull"]
            grants.append({"type": kind, "name": name, "actions": wanted})
        return grants


def fresh_state(key, untrusted, users: dict[str, str]) -> dict:
    """What a token service starts with; tests change it to make it refuse or withhold."""
    return {"key": key, "untrusted": untrusted, "users": dict(users), "refuse": False,
            "anonymous": True, "grant_catalog": True, "bad_tokens": 0, "expires_in": 300,
            "field": "token", "asked": []}


def serve_tokens(folder: Path, users: dict[str, str]):
    """The token service on a free port; its root certificate is at folder/token-root.pem."""
    key = signing_key(folder)
    untrusted = signing_key(folder / "untrusted")
    return serve(TokenHandler, fresh_state(key, untrusted, users))
