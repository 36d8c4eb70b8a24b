"""Security headers and cookie settings of the standalone app."""
from __future__ import annotations

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

# htmx runs under this policy: no inline script, no eval, no inline style
# (its indicator styles are switched off in the htmx-config meta tag).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS.

    The signing serializer is made once per set of keys, not on every request
    as Flask's own interface does: it holds nothing but the keys and the salt.
    """

    def __init__(self) -> None:
        self._serializers: dict = {}

    def get_signing_serializer(self, app):
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer

    def get_cookie_secure(self, app) -> bool:
        secure = super().get_cookie_secure(app)
        return secure or (has_request_context() and request.is_secure)


def add_headers(response):
    """Send the security headers with every response."""
    headers = response.headers
    given = {name.lower() for name in headers.keys()}
    # One pass over the headers a view set, not one per header added.
    headers.extend((name, value) for name, value in HEADERS.items()
                   if name.lower() not in given)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def register(app) -> None:
    app.session_interface = SessionInterface()
    app.after_request(add_headers)
    proxies = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if proxies:
        # Only behind known proxies may X-Forwarded-* say who the client is.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
