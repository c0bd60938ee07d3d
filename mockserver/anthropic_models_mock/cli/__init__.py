"""The ``mockserver`` command: serve the fake, print a catalog, record a live Models API, diff two catalogs.

``main`` (the parser and the commands), ``recording`` (a live API recorded as a catalog file),
``progress`` (progress on stderr), ``output`` (files written atomically).
"""

from .main import main
from .progress import Progress
from .recording import RecordError, candidate_names, display_url, record, url_problem

__all__ = ["Progress", "RecordError", "candidate_names", "display_url", "main", "record", "url_problem"]
