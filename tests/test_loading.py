"""The fast loader serves exactly what the reference path serves, and refuses with its messages.

Most tests shrink ``loading._CHUNK`` so that small texts are decoded a chunk at a time too.
"""

from __future__ import annotations

import json
import random
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from anthropic_models_mock import Catalog, CatalogError
from anthropic_models_mock.catalog import loader as loading
from anthropic_models_testkit.strategies import capabilities, catalogs, created_ats, model_ids
from hypothesis import given, settings
from hypothesis import strategies as st

EVERY = frozenset({"active", "deprecated", "retired"})
#: Chunk sizes to load with: a few characters (every split tried), a model or so, a few, and the real one.
SIZES = (16, 300, 2000, loading._CHUNK)


def outcome(load: Callable[[], Catalog]) -> tuple[Any, ...]:
    """What a load serves, or the error it raises."""
    try:
        catalog = load()
    except (CatalogError, ValueError, RecursionError) as exc:
        return type(exc), str(exc)
    size = len(catalog)
    return size, dict(catalog.aliases), catalog.as_of, catalog.to_json(), catalog.view(EVERY).joined(0, size)


def fast(text: str | bytes, chunk: int) -> tuple[Any, ...]:
    """What the fast path serves for this text, in memory; a file of it serves the same (read in pieces)."""
    with mock.patch.object(loading, "_CHUNK", chunk):
        served = outcome(lambda: Catalog.from_json(text, source="<x>"))
        if not isinstance(text, str) or text.encode(errors="replace") == text.encode(errors="ignore"):
            assert from_a_file(text) == served  # (no file holds a str with a lone surrogate)
    return served


def from_a_file(text: str | bytes | bytearray) -> tuple[Any, ...]:
    """What ``Catalog.from_file`` serves for a file of this text (its name in a message read as ``<x>``)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "catalog.json")
        path.write_bytes(text.encode() if isinstance(text, str) else text)
        served = outcome(lambda: Catalog.from_file(path))
    return (served[0], served[1].replace(str(path), "<x>")) if len(served) == 2 else served


def reference(text: str | bytes) -> tuple[Any, ...]:
    return outcome(lambda: Catalog._made(loading._reference(text, "<x>"), "<x>"))


def assert_same(text: str | bytes, chunks: tuple[int, ...] = SIZES) -> tuple[Any, ...]:
    expected = reference(text)
    for chunk in chunks:
        assert fast(text, chunk) == expected, chunk
    return expected


class Counting:
    """A decoder that notes the length of each text it decodes."""

    def __init__(self, decoder: Any) -> None:
        self.decoder, self.sizes = decoder, list[int]()

    def decode(self, text: str | bytes) -> Any:
        self.sizes.append(len(text))
        return self.decoder.decode(text)


@contextmanager
def counted() -> Iterator[tuple[Counting, Counting]]:
    """The chunk decoder and the whole-document decoder, counting."""
    chunks, whole = Counting(loading._ENTRIES), Counting(loading._DECODER)
    with mock.patch.object(loading, "_ENTRIES", chunks), mock.patch.object(loading, "_DECODER", whole):
        yield chunks, whole


def shapes(document: Any) -> Iterator[str]:
    """The texts a document may be written as: compact, indented, spaced, ASCII-only."""
    yield json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    yield json.dumps(document, indent=2, ensure_ascii=False)
    yield json.dumps(document, indent="\t")
    yield json.dumps(document, separators=(" , ", " : "))


def model(model_id: str, created_at: str = "2025-01-01T00:00:00Z", **extra: Any) -> dict[str, Any]:
    return {"id": model_id, "display_name": model_id.upper(), "created_at": created_at, **extra}


# -- equal to the reference path ---------------------------------------------------------------


def test_the_embedded_catalog() -> None:
    catalog = Catalog.default()
    document = catalog.to_document()
    texts = [catalog.to_json(), catalog.to_json(indent=0), *shapes(document), *shapes(document["models"])]
    for text in texts:
        assert_same(text)
        assert_same(text.encode() if isinstance(text, str) else text.decode())


@pytest.mark.parametrize(("size", "seed"), [(0, 1), (1, 2), (7, 3), (600, 4), (1500, 11)])
def test_synthetic_catalogs(size: int, seed: int) -> None:
    catalog = Catalog.synthetic(size, seed)
    for text in (catalog.to_json(), catalog.to_json(indent=0)):
        served = assert_same(text)
        assert served[0] == size and served[3] == catalog.to_json()
        assert_same(text.decode(), (64, 5000))


def test_out_of_order_files_are_sorted() -> None:
    document = Catalog.synthetic(1200, 5).to_document()
    random.Random(5).shuffle(document["models"])
    for text in shapes(document):
        assert assert_same(text)[3] == Catalog.synthetic(1200, 5).to_json()


def test_a_nested_models_array_is_not_the_models() -> None:
    """A ``"models": [`` before the real one (in ``description``, in a key, in a string) is only a candidate."""
    real = [model("real-1"), model("real-2", "2026-01-01T00:00:00Z")]
    decoy = [model("decoy-1"), model("decoy-2")]
    documents = [
        {"description": {"models": decoy}, "models": real},
        {"description": {"models": decoy}, "models": real, "sources": {"models": decoy}},
        {"description": 'say "models": [{"id": "x"}]', "models": real},
        {"sources": {'x"models': decoy}, "models": real},
        {"models": real, "description": {"models": decoy}},
        {"description": [{"models": decoy}], "aliases": {"r": "real-1"}, "models": real},
    ]
    for document in documents:
        for text in shapes(document):
            served = assert_same(text)
            assert served[0] == 2 and b"decoy" not in served[3]
    # The real key spelt with an escape, so that the decoy is the only candidate; and the marker in the text.
    real_text, marker = json.dumps(real), f"[{loading._MARKER.decode()}]"
    for key, models in [("m\\u006fdels", real_text), ("m\\u006fdels", marker), ("models", marker)]:
        served = assert_same(f'{{"{key}": {models}, "description": {{"models": {json.dumps(decoy)}}}}}')
        assert served[0] == 2 if models == real_text else served[0] is CatalogError


def test_nasty_strings() -> None:
    names = ['},{"id": "x"}', '"models": [', '\\"},{\\"', "}, {", "é✓\u2028\x00\x1f\x7f", "\\", '"']
    models = [model(f"m-{n}", display_name=name, sources={"note": name}) for n, name in enumerate(names)]
    for document in ({"models": models, "description": names}, models):
        for text in shapes(document):
            assert_same(text, (8, 16, 40, 100, 1000))


# -- refused as the reference path refuses -----------------------------------------------------

BAD = [
    [model("a"), model("a")],  # a duplicate id, within a chunk or across two
    [model("a"), *(model(f"b{n}") for n in range(40)), model("a")],
    [model("a b")],
    [model("a/b")],
    [model("")],
    [model("a" * 257)],
    [model("a", "2025-02-30T00:00:00Z")],
    [model("a", "2025-01-01")],
    [model("a", "2025-01-01T00:00:00+24:00")],
    [model("a", lifecycle="active", deprecated_at="2025-01-01T00:00:00Z")],
    [model("a", lifecycle="active", retires_at="2025-01-01T00:00:00Z")],
    [model("a", lifecycle="deprecated")],
    [model("a", lifecycle="retired", deprecated_at="")],
    [model("a", lifecycle="deprecated", deprecated_at="2025-01-01T00:00:00Z", retires_at="2025-13-01T00:00:00Z")],
    [model("a", lifecycle="gone")],
    [model("a", line="poem")],
    [model("a", max_tokens=0)],
    [model("a", max_tokens=True)],
    [model("a", max_input_tokens=1.0)],
    [model("a", max_tokens=-5)],
    [model("a", allowed_fallback_models=["b c"])],
    [model("a", allowed_fallback_models="b")],
    [model("a", allowed_fallback_models=[1])],
    [model("a", capabilities={"batch": {"supported": True}})],
    [model("a", capabilities={})],
    [model("a", type="mdl")],
    [model("a", colour="red")],
    [{"display_name": "A", "created_at": "2025-01-01T00:00:00Z"}],
    [model("a", display_name=None)],
    [model("a", created_at=None)],
    [1],
    {"models": [model("a")], "aliases": {"b": "c"}},
    {"models": [model("a")], "extra": 1},
    {"models": {"a": model("a")}},
    {"description": {"models": [model("a")]}},
    {"models": [model("a")], "as_of": 5},
]


@pytest.mark.parametrize("document", BAD)
def test_bad_files_are_refused_with_the_reference_message(document: Any) -> None:
    padded = document
    if isinstance(document, list):  # models before and after, so the bad one is in a middle chunk
        padded = [model(f"pad-{n}") for n in range(20)] + document + [model(f"tail-{n}") for n in range(20)]
    for text in (*shapes(document), *shapes(padded)):
        error = assert_same(text)
        assert error[0] is CatalogError or issubclass(error[0], CatalogError), error


@pytest.mark.parametrize(
    "text",
    [
        '{"models": [{"id": "a"}',
        '{"models": [' + json.dumps(model("a")) + ",]}",
        '{"models": [' + json.dumps(model("a")) + "]} x",
        '{"models": [' + json.dumps(model("a")) + "]}]",
        "[" + json.dumps(model("a")) + ",, " + json.dumps(model("b")) + "]",
        "[" + json.dumps(model("a")) + "] [" + json.dumps(model("b")) + "]",
        '{"models": [' + json.dumps(model("a")) + '], "models": [' + json.dumps(model("b")) + "]}",
        '{"models": 1, "models": [' + json.dumps(model("b")) + "]}",
        '{"models": [], "as_of": NaN}',
        "[" + json.dumps(model("a"))[:-1] + ', "max_tokens": 1e3}]',
        "[" + json.dumps(model("a"))[:-1] + ', "max_tokens": ' + "9" * 5000 + "}]",
        "\ufeff[" + json.dumps(model("a")) + "]",
        "",
        "nope",
    ],
)
def test_texts_that_are_not_catalogs(text: str) -> None:
    assert_same(text)
    assert_same(text.encode())


# -- Hypothesis: any document, any layout ------------------------------------------------------

_PIECES = ["a", "Z", "0", " ", "\n", "\t", "é", "✓", "\u2028", "\x00", '"', "\\", "{", "}", "[", "]", ",", ":"]
_PIECES += ["},{", "}, {", '"models": [', '"models":[', '\\"', '"}', "null"]
nasty = st.lists(st.sampled_from(_PIECES), max_size=8).map("".join)
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | nasty,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(nasty | st.just("models"), inner, max_size=3),
    max_leaves=8,
)


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good`` nineteen times in twenty, else ``bad``: most documents load, and each rule is broken now and then."""
    return st.integers(0, 19).flatmap(lambda n: bad if n == 0 else good)


dates = mostly(created_ats(), st.sampled_from(["2025-02-30T00:00:00Z", "2025-01-01", "", "٢٠٢٥-01-01T00:00:00Z"]))
ids = mostly(model_ids(), st.sampled_from(["", "a b", "a/b", "x" * 257, "é", "a\nb"]))
counts = mostly(st.none() | st.integers(1, 10**6), st.sampled_from([0, -1, True, 1.0, 10**30]))
# Built once, not at each draw: a strategy made anew is validated anew, which was most of the time an entry took.
lifecycles = st.sampled_from([None, "active", "deprecated", "retired"])
deprecations = mostly(dates, st.none())
maybe_dates = st.none() | dates
date_fields = st.sampled_from(["deprecated_at", "retires_at"])
optional_fields: list[tuple[str, st.SearchStrategy[Any] | None]] = [
    ("type", mostly(st.just("model"), st.just("mdl"))),
    ("line", mostly(st.sampled_from([None, "opus", "haiku"]), st.just("verse"))),
    ("max_input_tokens", counts),
    ("max_tokens", counts),
    ("allowed_fallback_models", None),  # drawn from the entry's names: made per entry
    ("capabilities", mostly(st.none() | capabilities(), json_values)),
    ("sources", json_values),
]


@st.composite
def entries(draw: st.DrawFn, names: list[str]) -> dict[str, Any]:
    """A model entry, mostly valid, its keys in any order (``names``: ids to reuse now and then)."""
    entry: dict[str, Any] = {
        "id": draw(mostly(ids, st.sampled_from(names or ["dup"]))),
        "display_name": draw(nasty),
        "created_at": draw(dates),
    }
    lifecycle = draw(lifecycles)
    if lifecycle is not None:
        entry["lifecycle"] = lifecycle
    if lifecycle in ("deprecated", "retired"):
        entry["deprecated_at"] = draw(deprecations)
        if draw(st.booleans()):
            entry["retires_at"] = draw(maybe_dates)
    elif draw(st.integers(0, 19)) == 0:
        entry[draw(date_fields)] = draw(maybe_dates)
    for field, values in optional_fields:
        if draw(st.booleans()):
            if values is None:
                values = st.none() | st.lists(mostly(st.sampled_from([*names, "fb-1"]), ids), max_size=2)
            entry[field] = draw(values)
    if draw(st.integers(0, 30)) == 0:
        entry[draw(nasty)] = draw(json_values)
    keys = draw(st.permutations(list(entry)))
    return {key: entry[key] for key in keys}


@st.composite
def documents(draw: st.DrawFn) -> Any:
    names = draw(st.lists(model_ids(), max_size=4, unique=True))
    models = draw(st.lists(entries(names), max_size=12))
    if draw(st.integers(0, 4)) == 0:
        return models
    document: dict[str, Any] = {"models": models}
    targets = [model["id"] for model in models if isinstance(model.get("id"), str)] or ["x"]
    for field, values in [
        (
            "aliases",
            st.dictionaries(mostly(st.sampled_from(["al-1", "al-2"]), ids), mostly(st.sampled_from(targets), ids)),
        ),
        ("as_of", st.none() | nasty),
        ("description", json_values | st.just({"models": models[::-1]})),
        ("sources", json_values),
        ("source", nasty),
        ("omitted", json_values),
    ]:
        if draw(st.booleans()):
            document[field] = draw(values)
    keys = draw(st.permutations(list(document)))
    return {key: document[key] for key in keys}


@settings(max_examples=300)
@given(documents(), st.sampled_from(SIZES[:-1]), st.integers(0, 3), st.booleans())
def test_any_document_loads_as_the_reference_path_loads_it(document: Any, chunk: int, shape: int, raw: bool) -> None:
    text = list(shapes(document))[shape]
    expected = reference(text)
    assert fast(text.encode() if raw else text, chunk) == expected


@given(catalogs(max_size=30), st.sampled_from(SIZES[:-1]), st.sampled_from([0, 2]))
def test_any_catalog_round_trips(catalog: Catalog, chunk: int, indent: int) -> None:
    text = catalog.to_json(indent=indent)
    served = fast(text, chunk)
    assert served == reference(text)
    assert served[3] == catalog.to_json()


# -- decoded a chunk at a time -----------------------------------------------------------------


def test_a_long_text_is_decoded_a_chunk_at_a_time() -> None:
    """No call decodes the whole text: each decodes about a chunk (so other threads run in between)."""
    catalog = Catalog.synthetic(2000, 7)
    for text in (catalog.to_json(), catalog.to_json(indent=0)):
        longest = max(len(body) for body in catalog.view(EVERY).bodies) * 2 + 1000
        with mock.patch.object(loading, "_CHUNK", 20_000), counted() as (chunks, whole):
            assert Catalog.from_json(text).to_json() == catalog.to_json()
        assert len(chunks.sizes) >= len(text) // 25_000
        assert max(chunks.sizes) <= 20_000 + longest
        frame = len(text) - len(json.dumps(catalog.to_document()["models"], separators=(",", ":")))
        assert whole.sizes and max(whole.sizes) < frame + 100  # only the text around the models
        assert sum(chunks.sizes) >= len(text) * 0.9


def test_a_short_text_is_decoded_at_once() -> None:
    text = Catalog.synthetic(20, 7).to_json()
    with counted() as (chunks, whole):
        Catalog.from_json(text)
    assert chunks.sizes == [] and whole.sizes == [len(text)]


def test_a_chunk_that_ends_inside_a_model_is_tried_again_to_the_next_place() -> None:
    """A split inside a model (``},{`` in a list of sources) does not decode: the chunk is extended to the
    next place a chunk may end, and the text is still decoded a chunk at a time."""
    models = [model(f"m{n}", sources=[{"a": n}, {"b": n}]) for n in range(30)]
    text = json.dumps({"models": models}, separators=(",", ":"))
    with mock.patch.object(loading, "_CHUNK", 100), counted() as (chunks, whole):
        assert fast(text, 100) == reference(text)
        Catalog.from_json(text)
    assert len(text) not in whole.sizes and len(chunks.sizes) > 10


def test_a_chunk_that_never_decodes_sends_the_whole_text_to_one_decode() -> None:
    models = [model(f"m{n}", sources=[{"a": n}, {"b": n}]) for n in range(30)]
    text = json.dumps({"models": models}, separators=(",", ":"))
    with mock.patch.object(loading, "_CHUNK", 100), mock.patch.object(loading, "_RETRIES", 0), counted() as (_, whole):
        assert fast(text, 100) == reference(text)
        Catalog.from_json(text)
    assert len(text) in whole.sizes


def test_what_the_reference_path_refuses_the_fast_path_refuses_too() -> None:
    """A number past Python's digit limit in ``capabilities``, a lone surrogate in a str: the reference's error."""
    huge = '{"models":[{"id":"m","display_name":"M","created_at":"2025-01-01T00:00:00Z","capabilities":{"x":%s}}]}'
    for text in (huge % ("9" * 5000), (huge % 1).replace('"M"', '"\ud800"')):
        assert_same(text, (16, 100, loading._CHUNK))


def test_progress_is_heard_as_models_are_read() -> None:
    text = Catalog.synthetic(3000, 2).to_json()
    heard: list[int] = []
    with mock.patch.object(loading, "_CHUNK", 10_000), mock.patch.object(loading, "_EVERY", 500):
        catalog = Catalog.from_json(text, progress=heard.append)
    assert heard == sorted(heard) and heard[-1] == len(catalog) == 3000
    assert len(heard) >= 3000 // 500


def test_progress_never_goes_back_when_a_file_is_decoded_again(tmp_path: Path) -> None:
    """A file refused late is decoded again (from memory, then in one call, then by the reference path
    that names the fault): progress counts on from the most it was told, never from 0 again."""
    document = Catalog.synthetic(3000, 2).to_document()
    document["models"][2990]["display_name"] = 7
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(document, indent=2))
    heard: list[int] = []
    with (
        mock.patch.object(loading, "_CHUNK", 10_000),
        mock.patch.object(loading, "_EVERY", 500),
        pytest.raises(CatalogError, match="display_name"),
    ):
        Catalog.from_file(path, progress=heard.append)
    assert heard and heard == sorted(set(heard)), heard


def test_a_bytearray_loads_as_its_bytes_do() -> None:
    """A large ``PUT /_mock/catalog`` body is gathered into a bytearray: it takes the chunked path too."""
    text = Catalog.synthetic(300, 4).to_json()
    with mock.patch.object(loading, "_CHUNK", 2000), counted() as (chunks, whole):
        assert fast(bytearray(text), 2000) == fast(text, 2000) == reference(text)
    assert chunks.sizes and len(text) not in whole.sizes
    bad = bytearray(text.replace(b'"display_name"', b'"display_nam"', 1))
    assert fast(bad, 2000) == reference(bytes(bad))


# -- read from a file ----------------------------------------------------------------------------


def test_a_long_file_is_read_a_piece_at_a_time_never_whole(tmp_path: Path) -> None:
    """Its start and end (to find the models array), then each chunk: peak memory is the catalog's."""
    catalog = Catalog.synthetic(2000, 7)
    path = tmp_path / "catalog.json"
    path.write_bytes(catalog.to_json())
    reads: list[int] = []
    into, whole = loading._OnDisk.into, loading._OnDisk.whole

    def noted(self: loading._OnDisk, view: memoryview, offset: int) -> None:
        reads.append(len(view))
        into(self, view, offset)

    size = path.stat().st_size
    chunked = mock.patch.object(loading, "_CHUNK", 20_000), mock.patch.object(loading, "_EDGE", 1000)
    read_whole = mock.patch.object(loading._OnDisk, "whole", side_effect=AssertionError("read whole"))
    with chunked[0], chunked[1], mock.patch.object(loading._OnDisk, "into", noted), read_whole:
        assert Catalog.from_file(path).to_json() == catalog.to_json()
    longest = max(len(body) for body in catalog.view(EVERY).bodies)
    assert max(reads) < size / 20 and len(reads) >= size // (20_000 + longest)
    assert size <= sum(reads) <= size * 1.2
    assert whole is loading._OnDisk.whole


def test_a_file_shorter_than_its_size_said_is_read_again_whole(tmp_path: Path) -> None:
    """A file cut while it is read (here: its size said longer) is not trusted piecewise: it is read whole."""
    text = Catalog.synthetic(300, 4).to_json()
    path = tmp_path / "catalog.json"
    path.write_bytes(text)
    opened = loading._OnDisk.__init__

    def longer(self: loading._OnDisk, file: Any) -> None:
        opened(self, file)
        self.size += 5000

    with mock.patch.object(loading, "_CHUNK", 2000), mock.patch.object(loading._OnDisk, "__init__", longer):
        assert from_a_file(text) == reference(text)


def test_a_file_that_cannot_be_read_is_named() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for path, reason in [
            (Path(folder, "absent.json"), "No such file"),
            (Path(folder), "it is a directory, not a regular file"),
        ]:
            with pytest.raises(CatalogError, match=f"^{re.escape(str(path))}: cannot read catalog file: {reason}"):
                Catalog.from_file(path)
