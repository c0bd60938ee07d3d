"""Keys with views: what each key may see (``models`` patterns), its workspaces, and how the journal names it."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import pytest
from anthropic_models_mock import Catalog, KeysError, create_app
from anthropic_models_mock.model import MAX_KEYS, MAX_PATTERN_SETS, MAX_PATTERNS, fingerprint, keys_from_document
from anthropic_models_mock.model.limits import LIFECYCLES
from anthropic_models_testkit.strategies import catalogs
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

VERSION = {"anthropic-version": "2023-06-01"}
KEYS = {
    "keys": {
        "sk-opus": {"models": ["claude-opus-*"], "label": "opus team"},
        "sk-haiku": {"models": ["claude-haiku-4-5-20251001"], "workspaces": ["wrkspc_a"]},
        "sk-multi": {"workspaces": ["wrkspc_a", "wrkspc_b"]},
        "sk-none": {"models": []},
        "sk-all": {},
    }
}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(keys=KEYS))


def get(client: TestClient, path: str, key: str, **headers: str) -> Any:
    return client.get(path, headers={"x-api-key": key, **VERSION, **headers})


def ids(client: TestClient, key: str, query: str = "") -> list[str]:
    """Every id the key lists, page by page (five a page: the cursors are exercised too)."""
    found: list[str] = []
    after = ""
    while True:
        response = get(client, f"/v1/models?limit=5{query}{after}", key)
        assert response.status_code == 200, response.text
        page = response.json()
        found += [model["id"] for model in page["data"]]
        if not page["has_more"]:
            return found
        after = f"&after_id={page['last_id']}"


def assert_error(response: Any, status: int, error_type: str, message: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == error_type
    assert body["error"]["message"] == message
    assert body["request_id"] == response.headers["request-id"]


EVERY_ID = [model["id"] for model in Catalog.default().models]


@pytest.mark.parametrize("lifecycle", ["", "&lifecycle=retired", "&lifecycle=active,deprecated,retired"])
def test_a_key_lists_only_the_models_its_patterns_name(client: TestClient, lifecycle: str) -> None:
    everything = ids(client, "sk-all", lifecycle)
    opus = ids(client, "sk-opus", lifecycle)
    assert opus == [model_id for model_id in everything if model_id.startswith("claude-opus-")]
    assert opus, "the embedded catalog has Opus models in every list"
    assert ids(client, "sk-none", lifecycle) == []


def test_a_model_outside_the_view_is_a_404_exactly_like_an_unknown_one(client: TestClient) -> None:
    assert get(client, "/v1/models/claude-opus-4-7", "sk-opus").status_code == 200
    hidden = get(client, "/v1/models/claude-sonnet-4-6", "sk-opus")
    unknown = get(client, "/v1/models/claude-nothing-9", "sk-opus")
    assert_error(hidden, 404, "not_found_error", "model: claude-sonnet-4-6")
    assert_error(unknown, 404, "not_found_error", "model: claude-nothing-9")
    assert hidden.headers.keys() == unknown.headers.keys()


def test_an_alias_resolves_only_when_its_target_is_in_the_view(client: TestClient) -> None:
    assert get(client, "/v1/models/claude-haiku-4-5", "sk-haiku").json()["id"] == "claude-haiku-4-5-20251001"
    assert get(client, "/v1/models/claude-opus-4-5", "sk-opus").json()["id"] == "claude-opus-4-5-20251101"
    assert_error(
        get(client, "/v1/models/claude-opus-4-5", "sk-haiku"), 404, "not_found_error", "model: claude-opus-4-5"
    )
    assert_error(
        get(client, "/v1/models/claude-haiku-4-5", "sk-opus"), 404, "not_found_error", "model: claude-haiku-4-5"
    )


@pytest.mark.parametrize("cursor", ["after_id", "before_id"])
def test_a_model_outside_the_view_is_not_a_cursor(client: TestClient, cursor: str) -> None:
    response = get(client, f"/v1/models?{cursor}=claude-sonnet-4-6", "sk-opus")
    assert_error(
        response,
        400,
        "invalid_request_error",
        f"{cursor}: no model with id 'claude-sonnet-4-6' in the listed models (check lifecycle)",
    )
    assert get(client, f"/v1/models?{cursor}=claude-sonnet-4-6", "sk-all").status_code == 200


def test_a_key_not_in_the_file_gets_the_401(client: TestClient) -> None:
    assert_error(get(client, "/v1/models", "sk-other"), 401, "authentication_error", "invalid x-api-key")


# -- workspaces ------------------------------------------------------------------------------------------
REQUIRED = (
    "anthropic-workspace-id is required when authenticating with an identity-linked API key; send the id of the "
    "workspace this request acts in."
)
INVALID = "anthropic-workspace-id header must be a valid workspace ID."


def test_a_key_of_one_workspace_may_omit_the_header_and_must_match_it(client: TestClient) -> None:
    assert get(client, "/v1/models", "sk-haiku").status_code == 200
    assert get(client, "/v1/models", "sk-haiku", **{"anthropic-workspace-id": "wrkspc_a"}).status_code == 200
    other = get(client, "/v1/models", "sk-haiku", **{"anthropic-workspace-id": "wrkspc_b"})
    assert_error(other, 404, "not_found_error", "workspace: wrkspc_b (not a workspace this key can act in)")


def test_an_answer_names_the_workspace_the_request_acted_in(client: TestClient) -> None:
    """The API answers with ``anthropic-workspace-id`` (the SDKs read it into ``APIStatusError.workspace_id``)."""
    assert get(client, "/v1/models", "sk-haiku").headers["anthropic-workspace-id"] == "wrkspc_a"
    missing = get(client, "/v1/models/claude-opus-4-7", "sk-haiku")  # outside its view: its 404 names it too
    assert missing.status_code == 404 and missing.headers["anthropic-workspace-id"] == "wrkspc_a"
    named = get(client, "/v1/models/claude-opus-4-7", "sk-multi", **{"anthropic-workspace-id": "wrkspc_b"})
    assert named.status_code == 200 and named.headers["anthropic-workspace-id"] == "wrkspc_b"
    bad_version = client.get("/v1/models", headers={"x-api-key": "sk-haiku", "anthropic-version": "x"})
    assert bad_version.status_code == 400 and bad_version.headers["anthropic-workspace-id"] == "wrkspc_a"
    assert "anthropic-workspace-id" not in get(client, "/v1/models", "sk-all").headers
    assert "anthropic-workspace-id" not in get(client, "/v1/models", "sk-multi").headers  # none was chosen


def test_the_sdk_reads_the_workspace_of_an_error() -> None:
    import anthropic
    from anthropic_models_testkit import AnthropicMock

    with AnthropicMock(keys=KEYS) as mock:
        client = mock.client(api_key="sk-haiku", max_retries=0)
        with pytest.raises(anthropic.NotFoundError) as caught:
            client.models.retrieve("claude-opus-4-7")
        assert getattr(caught.value, "workspace_id", "wrkspc_a") == "wrkspc_a"  # (the attribute is 2.x's)
        several = mock.client(api_key="sk-multi", max_retries=0)
        with pytest.raises(anthropic.BadRequestError, match="anthropic-workspace-id is required"):
            several.models.list()
        chosen = mock.client(api_key="sk-multi", default_headers={"anthropic-workspace-id": "wrkspc_b"})
        assert chosen.models.retrieve("claude-haiku-4-5").id == "claude-haiku-4-5-20251001"


def test_a_key_of_several_workspaces_must_name_one_of_them(client: TestClient) -> None:
    assert_error(get(client, "/v1/models", "sk-multi"), 400, "invalid_request_error", REQUIRED)
    for workspace in ("wrkspc_a", "wrkspc_b"):
        assert get(client, "/v1/models/claude-opus-4-7", "sk-multi", **{"anthropic-workspace-id": workspace}).is_success
    other = get(client, "/v1/models", "sk-multi", **{"anthropic-workspace-id": "wrkspc_c"})
    assert_error(other, 404, "not_found_error", "workspace: wrkspc_c (not a workspace this key can act in)")


def test_a_key_of_no_workspace_can_name_none(client: TestClient) -> None:
    assert get(client, "/v1/models", "sk-all").status_code == 200
    named = get(client, "/v1/models", "sk-all", **{"anthropic-workspace-id": "wrkspc_a"})
    assert_error(named, 404, "not_found_error", "workspace: wrkspc_a (not a workspace this key can act in)")


@pytest.mark.parametrize("value", ["", "wrkspc_", "workspace_a", "wrkspc_a b", "wrkspc_" + "a" * 65])
@pytest.mark.parametrize("key", ["sk-haiku", "sk-multi", "sk-all"])
def test_a_header_that_is_no_workspace_id_is_a_400(client: TestClient, key: str, value: str) -> None:
    assert_error(
        get(client, "/v1/models", key, **{"anthropic-workspace-id": value}), 400, "invalid_request_error", INVALID
    )


def test_without_a_keys_file_any_workspace_id_is_accepted_and_a_bad_one_refused() -> None:
    open_client = TestClient(create_app(api_keys=["k"]))
    assert get(open_client, "/v1/models", "k", **{"anthropic-workspace-id": "wrkspc_anything"}).status_code == 200
    assert_error(
        get(open_client, "/v1/models", "k", **{"anthropic-workspace-id": "x"}), 400, "invalid_request_error", INVALID
    )


def test_the_key_is_checked_before_the_workspace(client: TestClient) -> None:
    response = get(client, "/v1/models", "sk-other", **{"anthropic-workspace-id": "nonsense"})
    assert_error(response, 401, "authentication_error", "invalid x-api-key")


# -- the journal names the key, never shows it ----------------------------------------------------------------
def test_the_journal_names_each_key_by_its_label_or_fingerprint_never_the_key() -> None:
    app = create_app(keys={"keys": {"sk-secret-1": {"label": "tenant a"}, "sk-secret-2": {}}})
    client = TestClient(app)
    get(client, "/v1/models", "sk-secret-1")
    client.get("/v1/models", headers={"authorization": "Bearer sk-secret-2", **VERSION})
    get(client, "/v1/models", "sk-unknown")
    client.get("/v1/models", headers=VERSION)
    assert [entry.key for entry in app.mock.journal] == ["tenant a", "key 2", fingerprint("sk-unknown"), ""]
    assert [entry.status for entry in app.mock.journal] == [200, 200, 401, 401]
    journal = client.get("/_mock/journal").text
    assert '"key": "tenant a"' in journal and '"key": "key 2"' in journal
    assert "sk-secret" not in journal and "sk-unknown" not in journal


def test_a_fingerprint_is_a_hash_not_the_key() -> None:
    assert fingerprint("sk-ant-api03-abc") == fingerprint("sk-ant-api03-abc")
    assert fingerprint("sk-ant-api03-abc") != fingerprint("sk-ant-api03-abd")
    assert fingerprint("abc").startswith("key:") and "abc" not in fingerprint("abc")[4:]
    assert len(fingerprint("x" * 1000)) == len("key:") + 8


# -- the keys file --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({}, 'keys: expected an object {"keys": {KEY: {...}, ...}} and nothing else'),
        ({"keys": {}, "more": 1}, 'keys: expected an object {"keys": {KEY: {...}, ...}} and nothing else'),
        ({"keys": []}, "keys: keys: expected an object of at least one key, each mapped to an object"),
        ({"keys": {"s3cret": []}}, "keys: keys[1]: expected an object with models, workspaces or label (or {})"),
        (
            {"keys": {"s3cret": {"model": []}}},
            "keys: keys[1]: unknown field 'model' (expected models, workspaces or label)",
        ),
        ({"keys": {"s3cret": {"models": "claude-*"}}}, "keys: keys[1]: models: expected a list of strings"),
        ({"keys": {"s3cret": {"models": ["a b"]}}}, "keys: keys[1]: models[0]: 'a b' is not a pattern of model ids"),
        (
            {"keys": {"s3cret": {"workspaces": ["wrk_a"]}}},
            "keys: keys[1]: workspaces[0]: 'wrk_a' is not a workspace id",
        ),
        ({"keys": {"s3cret ": {}}}, "keys: keys[1]: a key must be non-empty visible ASCII"),
        ({"keys": {"s3cret": {"label": ""}}}, "keys: keys[1]: label: expected 1 to 64 visible characters"),
        (
            {"keys": {"s3cret": {"label": "a"}, "s3cret2": {"label": "a"}}},
            "keys: keys[2]: label: 'a' names another key",
        ),
        ({"keys": {"s3cret": {"label": "key 2"}, "s3cret2": {}}}, "keys: keys[1]: label: 'key 2' is a name the file"),
        (
            {"keys": {"s3cret": {"models": ["a"] * (MAX_PATTERNS + 1)}}},
            f"keys: keys[1]: models: at most {MAX_PATTERNS}",
        ),
        ({"keys": {f"s3cret{n}": {} for n in range(MAX_KEYS + 1)}}, f"keys: keys: at most {MAX_KEYS:,} keys"),
        (
            {"keys": {f"s3cret{n}": {"models": [f"claude-{n}-*"]} for n in range(MAX_PATTERN_SETS + 1)}},
            f"keys: keys[{MAX_PATTERN_SETS + 1}]: models: at most {MAX_PATTERN_SETS} distinct models lists",
        ),
    ],
)
def test_a_bad_keys_document_says_where_and_never_shows_a_key(document: Any, message: str) -> None:
    with pytest.raises(KeysError) as caught:
        keys_from_document(document)
    assert str(caught.value).startswith(message)
    assert "s3cret" not in str(caught.value)


def test_a_keys_file_is_read_with_its_bounds(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(KEYS))
    assert create_app(keys=path).mock.keys is not None
    path.write_text('{"keys": {"s3cret": {}, "s3cret": {"models": []}}}')
    with pytest.raises(KeysError, match=r"a name appears twice in one object") as caught:
        create_app(keys=str(path))
    assert "s3cret" not in str(caught.value)
    path.write_text("{nope")
    with pytest.raises(KeysError, match=r"keys.json: not JSON"):
        create_app(keys=path)
    with pytest.raises(ValueError, match="give one of the two"):
        create_app(api_keys=["a"], keys=KEYS)


def test_keys_with_the_same_patterns_share_one_sieve() -> None:
    keys = keys_from_document({"keys": {"a": {"models": ["x*", "y"]}, "b": {"models": ["y", "x*", "y"]}}})
    assert keys["a"].sieve is keys["b"].sieve
    assert len(keys.sieves) == 1
    again = keys_from_document({"keys": {"c": {"models": ["y", "x*"]}}})["c"].sieve
    assert again == keys["a"].sieve and hash(again) == hash(keys["a"].sieve), "keys set again share the lists made"


def test_keys_set_again_and_again_reuse_the_lists_they_made() -> None:
    app = create_app()
    client = TestClient(app)
    for _ in range(20):
        app.mock.set_api_keys(keys_from_document({"keys": {"k": {"models": ["claude-opus-*"]}}}))
        assert get(client, "/v1/models", "k").status_code == 200
        app.mock.reset()
    assert len(app.mock.catalog._views) <= 2  # the default list, and the one key's


# -- a view is the filtered list, at any size, through changes -------------------------------------------------
patterns = st.lists(
    st.sampled_from(["*", "claude-*", "*-2025*", "claude-[a-m]*", "*[!0-9]", "*?1*"])
    | st.text("claude-opus4_5*?[]!0123456789", min_size=1, max_size=12).filter(lambda p: "[]" not in p),
    max_size=3,
)


@settings(max_examples=60)
@given(
    catalog=catalogs(min_size=6, max_size=40),
    chosen=patterns,
    lifecycles=st.sets(st.sampled_from(LIFECYCLES), min_size=1),
)
def test_a_key_s_view_is_the_full_list_filtered_by_fnmatch(
    catalog: Catalog, chosen: list[str], lifecycles: set[str]
) -> None:
    keys = keys_from_document({"keys": {"k": {"models": chosen}}})
    sieve = keys["k"].sieve
    wanted = frozenset(lifecycles)
    full = list(catalog.view(wanted).ids)
    expected = [i for i in full if any(fnmatch.fnmatchcase(i, pattern) for pattern in chosen)]
    view = catalog.view(wanted, sieve)
    assert list(view.ids) == expected
    assert len(view) == len(expected)
    assert [view.locate(i) for i in expected] == list(range(len(expected)))
    assert all(view.locate(i) is None for i in full if i not in expected)
    assert all(catalog.body(i, sieve) is None for i in full if i not in expected)


def test_a_view_stays_right_through_changes_to_a_big_catalog() -> None:
    catalog = Catalog.synthetic(3000, 5)
    sieve = keys_from_document({"keys": {"k": {"models": ["claude-opus-*"]}}})["k"].sieve
    assert sieve is not None
    every = frozenset(LIFECYCLES)

    def expected(c: Catalog) -> list[str]:
        return [i for i in c.view(every).ids if i.startswith("claude-opus-")]

    assert list(catalog.view(every, sieve).ids) == expected(catalog)
    added = catalog.with_model(
        {"id": "claude-opus-9-9", "display_name": "Opus 9.9", "created_at": "2026-01-01T00:00:00Z"}
    ).with_model({"id": "claude-haiku-9-9", "display_name": "Haiku 9.9", "created_at": "2026-01-01T00:00:00Z"})
    removed = added.without_model(expected(catalog)[100])
    for changed in (added, removed):
        view = changed.view(every, sieve)
        assert list(view.ids) == expected(changed)
        assert view.locate("claude-haiku-9-9") is None
    assert list(catalog.view(every, sieve).ids) == expected(catalog), "the catalog it was made from is as it was"


def test_the_journal_holds_no_key_not_even_to_name_it() -> None:
    app = create_app(keys={"keys": {"sk-known-secret": {"label": "known"}}})
    client = TestClient(app)
    for key in ("sk-known-secret", "sk-ant-SECRET-typo"):
        get(client, "/v1/models", key)
        client.get("/v1/models", headers={"authorization": f"Bearer {key}", **VERSION})
    journal = app.mock.journal
    held = repr({name: value for name, value in vars(journal).items() if name != "_keys"})
    assert "SECRET" not in held and "secret" not in held
    typo = fingerprint("sk-ant-SECRET-typo")
    assert [entry.key for entry in journal] == ["known", "known", typo, typo]


def test_an_answer_kept_for_one_key_is_never_served_to_a_key_that_sees_less() -> None:
    models = [
        {"id": "claude-a-1", "display_name": "A", "created_at": "2026-01-01T00:00:00Z"},
        {"id": "claude-b-1", "display_name": "B", "created_at": "2026-02-01T00:00:00Z"},
    ]
    app = create_app(
        Catalog(models, {"claude-a": "claude-a-1"}), keys={"keys": {"sk-all": {}, "sk-b": {"models": ["claude-b-*"]}}}
    )
    client = TestClient(app)
    for path in ("/v1/models/claude-a-1", "/v1/models/claude-a"):  # the key that sees all asks first
        assert get(client, path, "sk-all").json()["display_name"] == "A"
        assert get(client, path, "sk-b").status_code == 404
    assert ids(client, "sk-all") == ["claude-b-1", "claude-a-1"]
    assert ids(client, "sk-b") == ["claude-b-1"]
    app.mock.add_model({**models[0], "display_name": "A, renamed"})  # a new catalog: none of the old answers
    assert get(client, "/v1/models/claude-a-1", "sk-all").json()["display_name"] == "A, renamed"
    assert get(client, "/v1/models?limit=20", "sk-all").json()["data"][1]["display_name"] == "A, renamed"
    app.mock.reset()
    assert get(client, "/v1/models/claude-a", "sk-all").json()["display_name"] == "A"
