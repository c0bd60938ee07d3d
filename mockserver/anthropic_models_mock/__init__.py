"""anthropic-models-mock: an offline, faithful fake of Anthropic's Models API.

The names below, and the submodules, are imported when first used (PEP 562), so a process that needs
only the catalog (the helper that decodes half of a long catalog file, see ``halves``) does not import
the server: Starlette and asyncio are a tenth of a second of its start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import MockApp, create_app
    from .catalog import Catalog, CatalogError
    from .errors import ApiError
    from .modelinfo import ModelInfo
    from .state import MockState

__all__ = ["ApiError", "Catalog", "CatalogError", "MockApp", "MockState", "ModelInfo", "create_app"]

#: The module each public name is defined in.
_HOMES = {
    "ApiError": "errors",
    "Catalog": "catalog",
    "CatalogError": "modelinfo",
    "MockApp": "app",
    "MockState": "state",
    "ModelInfo": "modelinfo",
    "create_app": "app",
}


if not TYPE_CHECKING:  # (a type checker sees the imports above, and no other name)

    def __getattr__(name: str) -> Any:
        """A public name, or a submodule (``anthropic_models_mock.loading``), imported on first use."""
        home = _HOMES.get(name)
        if home is None and name.startswith("_"):  # (``__main__`` would run the command line)
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        try:
            module = importlib.import_module(f".{home or name}", __name__)
        except ModuleNotFoundError as exc:
            if home is not None or exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        value = module if home is None else getattr(module, name)
        globals()[name] = value  # (found here from now on, without this function)
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
