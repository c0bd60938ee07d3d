"""anthropic-models-mock: an offline, faithful fake of Anthropic's Models API."""

from __future__ import annotations

from .app import MockApp, create_app
from .catalog import Catalog, CatalogError
from .errors import ApiError
from .modelinfo import ModelInfo
from .state import MockState

__all__ = ["ApiError", "Catalog", "CatalogError", "MockApp", "MockState", "ModelInfo", "create_app"]
