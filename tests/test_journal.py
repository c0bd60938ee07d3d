"""The request journal: bounded, redacted, queryable, with helpful assertion messages."""

from __future__ import annotations

import tracemalloc

import pytest
from anthropic_models_mock.runtime.journal import REDACTED, VALUE_BYTES, Journal
from hypothesis import given
from hypothesis import strategies as st


def record(journal: Journal, path: str = "/v1/models", query: bytes = b"", status: int = 200, **headers: str) -> None:
    raw = [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    journal.record("GET", path, query, raw, status, "req_x")


def test_keys_are_never_stored() -> None:
    journal = Journal()
    record(journal, x_api_key="sk-one", authorization="Bearer sk-two", anthropic_version="2023-06-01")
    entry = journal[0]
    assert entry.headers == {
        "x-api-key": REDACTED,
        "authorization": f"Bearer {REDACTED}",
        "anthropic-version": "2023-06-01",
    }
    assert "sk-one" not in repr(entry) and "sk-two" not in repr(entry.to_json())


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("secret", REDACTED),  # no scheme: the value is the key
        ("Bearer\tsecret", REDACTED),
        ("Token=secret", REDACTED),
        ("Bearer,secret", REDACTED),
        ("secret Bearer", REDACTED),  # a key first is not a scheme
        ("sk-ant-secret extra", REDACTED),
        ("  Bearer secret", f"Bearer {REDACTED}"),
        ("bearer   secret", f"bearer {REDACTED}"),
        ("Basic c2VjcmV0", f"Basic {REDACTED}"),
        ("Bearer", REDACTED),
    ],
)
def test_nothing_of_a_credential_is_kept_but_a_registered_scheme(value: str, kept: str) -> None:
    journal = Journal()
    record(journal, authorization=value, proxy_authorization=value)
    assert journal[0].headers["authorization"] == kept
    assert journal[0].headers["proxy-authorization"] == kept


def test_a_second_authorization_header_is_redacted_too() -> None:
    journal = Journal()
    raw = [(b"authorization", b"Bearer good"), (b"authorization", b"secret"), (b"x-api-key", b"secret2")]
    journal.record("GET", "/v1/models", b"", raw, 401, "req_x")
    assert journal[0].headers["authorization"] == f"Bearer {REDACTED}, {REDACTED}"
    assert "secret" not in repr(journal[0].to_json())


_SCHEMES = {"basic", "bearer", "concealed", "digest", "dpop", "gnap", "hoba", "mutual", "negotiate", "oauth"} | {
    "privatetoken",
    "scram-sha-1",
    "scram-sha-256",
    "vapid",
}


@given(name=st.sampled_from(["authorization", "x-api-key", "proxy-authorization"]), value=st.binary(max_size=60))
def test_a_credential_header_keeps_at_most_a_registered_scheme(name: str, value: bytes) -> None:
    journal = Journal()
    journal.record("GET", "/v1/models", b"", [(name.encode(), value)], 401, "req_x")
    kept = journal[0].headers[name]
    scheme, _, rest = kept.rpartition(" ")
    assert rest == REDACTED
    assert scheme == "" or (name != "x-api-key" and scheme.lower() in _SCHEMES)


def test_ring_buffer_keeps_the_newest() -> None:
    journal = Journal(maxlen=3)
    for n in range(10):
        record(journal, query=f"limit={n + 1}".encode())
    assert [e.params["limit"] for e in journal] == [("8",), ("9",), ("10",)]
    assert (len(journal), journal.total, journal.maxlen) == (3, 10, 3)
    journal.clear()
    assert (len(journal), journal.total, journal.last) == (0, 0, None)


def test_maxlen_must_be_positive() -> None:
    with pytest.raises(ValueError, match="maxlen"):
        Journal(maxlen=0)


def test_matching_and_repeated_headers() -> None:
    journal = Journal()
    record(journal, query=b"lifecycle[]=active&lifecycle[]=retired", anthropic_beta="a")
    record(journal, path="/v1/models/x", status=404)
    assert journal.matching(params={"lifecycle[]": ["active", "retired"]})[0].headers["anthropic-beta"] == "a"
    assert [e.path for e in journal.matching(status=404)] == ["/v1/models/x"]
    assert journal.matching(method="post") == []
    assert journal.assert_called(path="/v1/models/x", times=1)[0].status == 404
    assert journal.last is not None and journal.last.line == "GET /v1/models/x -> 404"


def test_assertion_messages() -> None:
    journal = Journal()
    with pytest.raises(AssertionError, match="no request GET /v1/models; no request arrived at all"):
        journal.assert_called(path="/v1/models")
    record(journal, path="/v1/models/claude-a", status=404)
    record(journal, path="/v1/models", query=b"limit=5")
    with pytest.raises(AssertionError, match=r"closest that arrived: GET /v1/models/claude-a -> 404 \(of 2\)"):
        journal.assert_called(path="/v1/models/claude-b")
    with pytest.raises(AssertionError, match=r"expected 2 request\(s\) GET /v1/models, got 1"):
        journal.assert_called(path="/v1/models", times=2)
    with pytest.raises(AssertionError, match="expected no request"):
        journal.assert_not_called(path="/v1/models")


def test_params_are_matched_as_the_sdk_sends_them() -> None:
    journal = Journal()
    record(journal, query=b"limit=3&beta=true&lifecycle[]=active&lifecycle[]=retired")
    journal.assert_called(path="/v1/models", params={"limit": 3, "beta": True})
    journal.assert_called(params={"limit": "3", "lifecycle[]": ["active", "retired"]})
    with pytest.raises(AssertionError, match="closest that arrived"):
        journal.assert_called(params={"limit": 4})


def test_a_request_that_arrived_before_a_clear_is_not_recorded_after_it() -> None:
    journal = Journal()
    arrived = journal.epoch
    journal.clear()
    journal.record("GET", "/v1/models", b"", [], 200, "req_old", arrived)
    journal.record("GET", "/v1/models", b"", [], 200, "req_new", journal.epoch)
    assert [entry.request_id for entry in journal] == ["req_new"]


def test_a_long_value_is_kept_cut_and_marked() -> None:
    journal = Journal()
    record(journal, query=b"q=" + b"z" * 9000, x_big="p" * (1 << 20), x_small="s" * VALUE_BYTES)
    entry = journal.last
    assert entry is not None
    assert entry.headers["x-big"] == "p" * VALUE_BYTES + "...[truncated: 1,048,576 bytes]"
    assert entry.headers["x-small"] == "s" * VALUE_BYTES  # at the bound: whole
    assert entry.query == "q=" + "z" * (VALUE_BYTES - 2) + "...[truncated: 9,002 bytes]"


def test_big_requests_cost_the_journal_its_byte_bound_not_their_size() -> None:
    """400 requests with a 1 MiB header each hold the journal's byte bound, not 400 MB."""
    tracemalloc.start()
    try:
        journal = Journal(maxlen=1000, max_bytes=1 << 20)
        value = "v" * (1 << 20)
        for _ in range(400):
            record(journal, x_big=value)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held < 4 << 20
    assert journal.total == 400
    assert 0 < len(journal) < 400


@given(sizes=st.lists(st.integers(0, 20_000), min_size=1, max_size=60), max_bytes=st.integers(1, 200_000))
def test_the_journal_keeps_the_newest_requests_within_its_byte_bound(sizes: list[int], max_bytes: int) -> None:
    journal = Journal(maxlen=50, max_bytes=max_bytes)
    for size in sizes:
        record(journal, x_pad="p" * size)
    kept = list(journal)
    assert [entry.seq for entry in kept] == list(range(len(sizes) - len(kept) + 1, len(sizes) + 1))  # the newest
    assert len(kept) >= 1  # the last request is always kept, whatever its size
    stored = sum(map(len, journal._raw))
    assert stored <= max_bytes or len(kept) == 1
    dropped_one_more = len(kept) < min(len(sizes), 50)
    if dropped_one_more:  # the next older one would not have fitted
        older = Journal(maxlen=50, max_bytes=1 << 40)
        for size in sizes[-len(kept) - 1 :]:
            record(older, x_pad="p" * size)
        assert sum(map(len, older._raw)) > max_bytes or len(kept) == 50


def test_max_bytes_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        Journal(max_bytes=0)
