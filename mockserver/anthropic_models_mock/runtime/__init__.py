"""One app's mutable state: the catalog it serves (and its clock), the keys it accepts, its faults and its journal.

``state`` (``MockState``: what an app owns, and reset), ``faults`` (scripted, random and transport
faults, latency), ``journal`` (a bounded record of the requests received, keys redacted).
"""

from .faults import Fault, Faults
from .journal import REDACTED, Journal, RecordedRequest
from .state import MockState

__all__ = ["REDACTED", "Fault", "Faults", "Journal", "MockState", "RecordedRequest"]
