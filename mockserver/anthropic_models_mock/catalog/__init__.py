"""The catalog, its views and pages, and where catalogs come from.

``catalog`` (``Catalog``: immutable, a change makes a new one in ``O(log n)``), ``views`` (a catalog
filtered to some lifecycles), ``pages`` (cursor pagination), ``loader`` (catalog files and documents),
``synthetic`` (seeded Faker catalogs of any size), ``diff`` (what two catalogs serve differently), ``clock``
(a catalog as it stood at a moment, by its own dates).
"""

from .catalog import Catalog, default_catalog_path
from .clock import Clock, clock_text, parse_clock
from .diff import CatalogDiff, FieldChange, ModelChange, diff_catalogs
from .pages import Page, paginate, render_page
from .views import View

__all__ = [
    "Catalog",
    "CatalogDiff",
    "Clock",
    "FieldChange",
    "ModelChange",
    "Page",
    "View",
    "clock_text",
    "default_catalog_path",
    "diff_catalogs",
    "paginate",
    "parse_clock",
    "render_page",
]
