"""What a model is, and the rules of the Models API: plain Python, no I/O.

``modelinfo`` (the served shape, declared once, and the checks of a catalog entry), ``limits``
(every bound and fixed list), ``errors`` (the error table and envelope), ``headers`` and ``params``
(what a request must send), ``access`` (keys, and what each may see), ``documents`` (strict JSON in).
"""

from . import limits
from .access import Access, Keys, KeysError, Sieve, fingerprint, key_problem, keys_from_document, keys_from_list
from .errors import ERROR_TYPES, ApiError
from .limits import *  # noqa: F403  (every bound: see limits.__all__)
from .modelinfo import (
    CAPABILITIES_SHAPE,
    FIELDS,
    CatalogError,
    ModelInfo,
    is_model_id,
    parse_rfc3339,
    served,
    validate_model,
)

__all__ = [
    "CAPABILITIES_SHAPE",
    "ERROR_TYPES",
    "FIELDS",
    "Access",
    "ApiError",
    "CatalogError",
    "Keys",
    "KeysError",
    "ModelInfo",
    "Sieve",
    "fingerprint",
    "is_model_id",
    "key_problem",
    "keys_from_document",
    "keys_from_list",
    "parse_rfc3339",
    "served",
    "validate_model",
]
__all__ += limits.__all__
