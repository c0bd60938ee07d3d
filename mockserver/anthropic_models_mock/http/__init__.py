"""The fake over HTTP: the ASGI app, its one routing table, and the uvicorn server that runs it.

``app`` (``create_app`` and the routing table), ``routing`` (what each kind of route applies: the
journal, faults, CORS), ``endpoints`` (the Models API's two), ``admin`` and ``admin_schemas`` (the
``/_mock`` controls), ``openapi``, ``events`` (the journal as server-sent events), ``dashboard``,
``cors``, ``responses``, ``protocol`` (strict HTTP/1.1) and ``server`` (uvicorn on a pre-bound socket).
"""

from .admin_schemas import HEALTH_PATH, PREFIX
from .app import MockApp, create_app, load_keys
from .server import BackgroundServer, Server, base_url, bind, uvicorn_config

__all__ = [
    "HEALTH_PATH",
    "PREFIX",
    "BackgroundServer",
    "MockApp",
    "Server",
    "base_url",
    "bind",
    "create_app",
    "load_keys",
    "uvicorn_config",
]
