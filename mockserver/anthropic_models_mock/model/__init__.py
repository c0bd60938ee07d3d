"""What a model is, and the rules of the Models API: plain Python, no I/O.

``modelinfo`` (the served shape, declared once, and the checks of a catalog entry), ``limits``
(every bound and fixed list), ``errors`` (the error table and envelope), ``headers`` and ``params``
(what a request must send), ``documents`` (strict JSON in).
"""

from .errors import ERROR_TYPES, ApiError
from .headers import check_api_keys, key_problem
from .limits import (
    DEFAULT_LIFECYCLES,
    EPOCH,
    KNOWN_VERSIONS,
    LIFECYCLES,
    LIMIT_DEFAULT,
    LIMIT_MAX,
    LIMIT_MIN,
    MAX_LIFECYCLE_VALUES,
    MAX_SECONDS,
    MAX_SYNTHETIC,
    MAX_URL_BYTES,
    MODEL_LINES,
    REQUEST_TIMEOUT,
)
from .modelinfo import (
    BETA_CAPABILITIES_SHAPE,
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
    "BETA_CAPABILITIES_SHAPE",
    "CAPABILITIES_SHAPE",
    "DEFAULT_LIFECYCLES",
    "EPOCH",
    "ERROR_TYPES",
    "FIELDS",
    "KNOWN_VERSIONS",
    "LIFECYCLES",
    "LIMIT_DEFAULT",
    "LIMIT_MAX",
    "LIMIT_MIN",
    "MAX_LIFECYCLE_VALUES",
    "MAX_SECONDS",
    "MAX_SYNTHETIC",
    "MAX_URL_BYTES",
    "MODEL_LINES",
    "REQUEST_TIMEOUT",
    "ApiError",
    "CatalogError",
    "ModelInfo",
    "check_api_keys",
    "is_model_id",
    "key_problem",
    "parse_rfc3339",
    "served",
    "validate_model",
]
