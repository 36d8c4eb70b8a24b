"""The sentences a sysadmin reads when a request produced no usable answer."""
from __future__ import annotations

import requests


def describe_exception(exc: requests.RequestException, timeout: float, what: str,
                       peer: str = "provider") -> str:
    """Turn a requests exception into a sentence for a sysadmin."""
    text = str(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
            return (f"TLS certificate not trusted. If the {peer} uses a self-signed"
                    " certificate, select Skip certificate verification.")
        if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
            return "TLS handshake failed: the endpoint does not speak HTTPS on this port."
        return "TLS handshake failed: the endpoint may not speak HTTPS on this port."
    if isinstance(exc, requests.Timeout):
        return (f"Timed out after {timeout:g} s waiting for an answer to {what}: the"
                f" {peer} accepted the connection but did not answer.")
    if isinstance(exc, requests.ConnectionError):
        if "Connection reset" in text or "RemoteDisconnected" in text \
                or "BadStatusLine" in text:
            return f"The {peer} closed the connection without answering {what}."
        return f"The connection broke while talking to the {peer} ({what})."
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return f"The {peer}'s answer to {what} was cut off."
    if isinstance(exc, requests.exceptions.InvalidURL):
        return "The endpoint is not a valid URL."
    return f"The request to the {peer} failed ({what})."


def deadline_reason(budget: float, what: str, peer: str = "provider") -> str:
    """The sentence for an answer still arriving when the exchange's deadline passed."""
    return (f"Gave up after {budget:g} s: the {peer} was still sending its answer to"
            f" {what} (it sends data far too slowly).")


def echo_reason(method: str, peer: str = "provider") -> str:
    """The sentence that replaces a reason which would repeat the credentials."""
    return (f"The request to the {peer} failed ({method}); its details repeated the"
            " credentials, so they are not shown.")
