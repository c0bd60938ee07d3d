"""The dashboard at ``/_mock/ui``: one page, its script and its style sheet, shipped in the package (``_ui/``).

The page is a client of the admin API and of the Models API, nothing else: what it shows and
does, curl and Python can too. It loads nothing from anywhere else (no CDN, no build step),
and its Content-Security-Policy lets it run only its own script and talk only to its own
origin, so nothing a catalog or a request carries can ever run in it.
"""

from __future__ import annotations

from importlib import resources

from starlette.responses import Response

from .responses import new_request_id

__all__ = ["CONTENT_SECURITY_POLICY", "FILES", "Assets", "read_asset"]

#: The files of the page, and their media types.
FILES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
#: Its own script and style only, requests to its own origin only; ``data:`` only for the blank icon.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def read_asset(name: str) -> bytes:
    """The bytes of one of ``FILES``, from the installed package."""
    if name not in FILES:
        raise KeyError(name)
    return (resources.files(__package__ or "anthropic_models_mock") / "_ui" / name).read_bytes()


class Assets:
    """The page's files for one app, read from the package on first use."""

    def __init__(self) -> None:
        self._read: dict[str, bytes] = {}

    def response(self, name: str) -> Response:
        body = self._read.get(name)
        if body is None:
            body = self._read[name] = read_asset(name)
        return Response(
            body,
            media_type=FILES[name],
            headers={
                "request-id": new_request_id(),
                "content-security-policy": CONTENT_SECURITY_POLICY,
                "x-content-type-options": "nosniff",
                "referrer-policy": "no-referrer",
                "cache-control": "no-cache",
            },
        )
