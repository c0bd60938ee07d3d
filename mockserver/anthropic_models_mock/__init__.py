"""anthropic-models-mock: an offline, faithful fake of Anthropic's Models API.

The package is in layers, each importing only those below it (``pyproject.toml`` states the contract):

- ``cli``: the ``mockserver`` command, and recording a live Models API;
- ``http``: the ASGI app (the Models API, the admin API, the dashboard) and the server that runs it;
- ``runtime``: one app's mutable state: the catalog it serves, keys, faults, the journal;
- ``catalog``: the catalog, its views and pages, and where catalogs come from (files, synthetic, diffs);
- ``storage``: how a catalog holds its models (pre-serialised rows in blocks of a B+ tree);
- ``model``: what a model is, and the API's rules and errors (plain Python).
"""

from .catalog import Catalog
from .http import MockApp, create_app
from .model import ApiError, CatalogError, Keys, KeysError, ModelInfo
from .runtime import MockState

__all__ = [
    "ApiError",
    "Catalog",
    "CatalogError",
    "Keys",
    "KeysError",
    "MockApp",
    "MockState",
    "ModelInfo",
    "create_app",
]
