"""anthropic-models-mock: an offline, faithful fake of Anthropic's Models API."""

from __future__ import annotations

from .app import MockState, create_app
from .catalog import Catalog, CatalogError
from .errors import ApiError
from .modelinfo import ModelInfo

__all__ = ["ApiError", "Catalog", "CatalogError", "MockState", "ModelInfo", "create_app"]
