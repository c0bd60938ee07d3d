"""The pytest plugin, tested as a user meets it: test files run by ``pytester``."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")


QUIET = ("-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function")


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_user=source)
    return pytester.runpytest_inprocess(*QUIET, *args)


def test_anthropic_mock_serves_records_and_redacts(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import httpx

        def test_it(anthropic_mock):
            headers = {"x-api-key": "sk-secret", "anthropic-version": "2023-06-01"}
            response = httpx.get(anthropic_mock.base_url + "/v1/models?limit=2", headers=headers)
            assert response.status_code == 200
            assert len(response.json()["data"]) == min(2, len(anthropic_mock.catalog.view()))
            assert anthropic_mock.app.mock is anthropic_mock.state
            assert len(anthropic_mock.catalog) > 2
            [entry] = anthropic_mock.assert_called(path="/v1/models", params={"limit": "2"}, status=200)
            assert entry.headers["x-api-key"] == "[redacted]"
            assert "sk-secret" not in repr(anthropic_mock.requests)
        """,
    )
    result.assert_outcomes(passed=1)


def test_assertion_messages_show_the_closest_request(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import httpx

        def test_it(anthropic_mock):
            httpx.get(anthropic_mock.base_url + "/v1/models/claude-opus-4-5")
            anthropic_mock.assert_called(path="/v1/models/claude-opus-4-6")
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*no request GET /v1/models/claude-opus-4-6; closest that arrived: GET /v1/models/claude-opus-4-5 -> 401*"]
    )


def test_changes_are_undone_between_tests(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import anthropic, pytest

        NEW = {"id": "claude-test-1", "display_name": "T", "created_at": "2030-01-01T00:00:00Z"}

        def test_changes(anthropic_mock, anthropic_client):
            anthropic_mock.add_model(NEW)
            anthropic_mock.set_alias("claude-test", "claude-test-1")
            assert anthropic_client.models.retrieve("claude-test").id == "claude-test-1"
            anthropic_mock.faults.add(529, times=None)
            with pytest.raises(anthropic.APIStatusError, match="overloaded_error"):
                anthropic_client.with_options(max_retries=0).models.list()

        def test_sees_the_original(anthropic_mock, anthropic_client):
            assert "claude-test-1" not in anthropic_mock.catalog
            assert len(anthropic_mock.requests) == 0
            with pytest.raises(anthropic.NotFoundError):
                anthropic_client.models.retrieve("claude-test")
            assert anthropic_client.models.list(limit=1).data
        """,
    )
    result.assert_outcomes(passed=2)


def test_marker_synthetic_seed_and_keys(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import anthropic, pytest
        from anthropic_models_mock import Catalog

        @pytest.mark.anthropic_models(synthetic=37, seed=4, api_keys=["test-key"])
        def test_synthetic(anthropic_mock, anthropic_client):
            assert anthropic_mock.catalog.models == Catalog.synthetic(37, 4).models
            every = {"lifecycle": "active,deprecated,retired"}  # as any SDK release can send it
            assert [m.id for m in anthropic_client.models.list(extra_query=every)] == [
                m["id"] for m in Catalog.synthetic(37, 4)
            ]
            with pytest.raises(anthropic.AuthenticationError):
                anthropic_mock.client(api_key="other", max_retries=0).models.list()

        @pytest.mark.anthropic_models(synthetic=5)
        def test_default_seed(anthropic_mock):
            assert anthropic_mock.catalog.models == Catalog.synthetic(5, 11).models

        def test_back_to_default(anthropic_mock):
            assert anthropic_mock.catalog.models == Catalog.default().models
        """,
        "--anthropic-seed",
        "11",
    )
    result.assert_outcomes(passed=3)


def test_marker_keys_and_clock(pytester: pytest.Pytester, tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(
        json.dumps({"keys": {"test-key": {"models": ["claude-opus-*"]}, "sk-haiku": {"models": ["*haiku*"]}}})
    )
    result = run(
        pytester,
        f"""
        import anthropic, pytest

        @pytest.mark.anthropic_models(keys={str(path)!r}, clock="2025-12-01T00:00:00Z")
        def test_views(anthropic_mock, anthropic_client):
            ids = [m.id for m in anthropic_client.models.list(limit=1000)]
            assert ids and all(i.startswith("claude-opus-") for i in ids)
            assert anthropic_client.models.retrieve("claude-opus-4-5").lifecycle == "active"
            with pytest.raises(anthropic.NotFoundError):
                anthropic_client.models.retrieve("claude-haiku-4-5")
            haiku = anthropic_mock.client(api_key="sk-haiku")
            assert haiku.models.retrieve("claude-haiku-4-5").id == "claude-haiku-4-5-20251001"

        @pytest.mark.anthropic_models(keys={{"keys": {{"other": {{}}}}}})
        def test_hint(anthropic_client):
            with pytest.raises(anthropic.AuthenticationError, match="pass api_key= to client"):
                anthropic_client.with_options(max_retries=0).models.list()

        def test_back_to_default(anthropic_client):
            assert anthropic_client.models.retrieve("claude-opus-4-5").lifecycle == "deprecated"
            assert anthropic_client.models.retrieve("claude-haiku-4-5").id
        """,
    )
    result.assert_outcomes(passed=3)


def test_marker_catalog_file_and_ini_seed(pytester: pytest.Pytester, tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(json.dumps([{"id": "only-one", "display_name": "One", "created_at": "2025-01-01T00:00:00Z"}]))
    pytester.makeini("[pytest]\nanthropic_seed = 3\n")
    result = run(
        pytester,
        f"""
        import pytest
        from anthropic_models_mock import Catalog

        @pytest.mark.anthropic_models(catalog={str(path)!r})
        def test_file(anthropic_client):
            assert [m.id for m in anthropic_client.models.list()] == ["only-one"]

        @pytest.mark.anthropic_models(synthetic=4)
        def test_ini_seed(anthropic_mock):
            assert anthropic_mock.catalog.models == Catalog.synthetic(4, 3).models
        """,
    )
    result.assert_outcomes(passed=2)


def test_a_relative_catalog_path_is_relative_to_the_rootdir(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\n")
    data = pytester.mkdir("data")
    (data / "mine.json").write_text(
        json.dumps([{"id": "rel-1", "display_name": "R", "created_at": "2025-01-01T00:00:00Z"}])
    )
    tests = pytester.mkdir("tests")
    (tests / "test_rel.py").write_text(
        "import pytest\n"
        "@pytest.mark.anthropic_models(catalog='data/mine.json')\n"
        "def test_rel(anthropic_mock):\n"
        "    assert [m['id'] for m in anthropic_mock.catalog] == ['rel-1']\n"
    )
    monkeypatch = pytest.MonkeyPatch()
    try:
        monkeypatch.chdir(tests)  # wherever pytest is started from
        result = pytester.runpytest_inprocess(*QUIET, "--rootdir", str(pytester.path), "test_rel.py")
    finally:
        monkeypatch.undo()
    result.assert_outcomes(passed=1)


def test_a_bad_ini_seed_stops_the_run_at_once(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nanthropic_seed = abc\n")
    result = run(pytester, "def test_it():\n    pass\n")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*anthropic_seed must be an integer, got 'abc'*"])


def test_a_marker_on_a_test_without_the_fake_is_a_warning(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.anthropic_models(synthetic=3)
        def test_forgot_the_fixture():
            pass

        @pytest.mark.anthropic_models(synthetic=3)
        def test_through_a_client_fixture(anthropic_env):
            pass
        """,
        "-W",
        "default::pytest.PytestConfigWarning",
    )
    result.assert_outcomes(passed=2, warnings=1)
    result.stdout.fnmatch_lines(["*test_forgot_the_fixture*", "*anthropic_models does nothing here*"])


def test_bad_marker_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.anthropic_models(synthetic=3, colour="red")
        def test_it(anthropic_mock):
            pass
        """,
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*anthropic_models: unknown argument(s) colour*"])


def test_async_clients_under_pytest_asyncio_and_anyio(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.asyncio
        async def test_asyncio(async_anthropic_client, anthropic_mock):
            ids = [m.id async for m in async_anthropic_client.models.list(limit=3)]
            assert ids == list(anthropic_mock.catalog.view().ids)

        @pytest.mark.anyio
        async def test_anyio(async_anthropic_client):
            assert (await async_anthropic_client.models.retrieve("claude-sonnet-4-5")).id == "claude-sonnet-4-5-20250929"

        @pytest.mark.asyncio
        async def test_in_process(async_anthropic_asgi_client, anthropic_mock):
            page = await async_anthropic_asgi_client.models.list(limit=2)
            assert len(page.data) == 2
            anthropic_mock.assert_called(path="/v1/models", params={"limit": "2"})

        @pytest.fixture
        def anyio_backend():
            return "asyncio"
        """,
        "-W",
        "error",
    )
    result.assert_outcomes(passed=3)


def test_sync_in_process_client_and_env(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import anthropic, os

        def test_in_process(anthropic_asgi_client, anthropic_mock):
            anthropic_mock.faults.sequence(429, retry_after_ms=1)
            assert anthropic_asgi_client.models.list(limit=1).data
            assert [r.status for r in anthropic_mock.requests] == [429, 200]

        def test_env(anthropic_env):
            assert os.environ["ANTHROPIC_BASE_URL"] == anthropic_env
            with anthropic.Anthropic() as client:
                assert client.models.retrieve("claude-haiku-4-5").id == "claude-haiku-4-5-20251001"
        """,
        "-W",
        "error",
    )
    result.assert_outcomes(passed=2)


def test_works_under_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_many="""
        import pytest

        @pytest.mark.parametrize("n", range(8))
        def test_isolated(anthropic_mock, anthropic_client, n):
            anthropic_mock.add_model({"id": f"claude-n-{n}", "display_name": "N", "created_at": "2031-01-01T00:00:00Z"})
            ids = [m.id for m in anthropic_client.models.list(limit=5).data]
            assert ids[0] == f"claude-n-{n}"
            assert [m for m in ids if m.startswith("claude-n-")] == [f"claude-n-{n}"]
            assert len(anthropic_mock.requests) == 1
        """
    )
    # Without schemathesis' plugin, which each of the three processes would load (and rewrite) for nothing.
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:schemathesis", *QUIET)
    result.assert_outcomes(passed=8)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ('synthetic="many"', "synthetic= expects a whole number from 0 to 10,000,000, got 'many'"),
        ("synthetic=5.5", "synthetic= expects a whole number from 0 to 10,000,000, got 5.5"),
        ("synthetic=True", "synthetic= expects a whole number from 0 to 10,000,000, got True"),
        ("synthetic=-1", "synthetic= expects a whole number from 0 to 10,000,000, got -1"),
        ("synthetic=10_000_001", "synthetic= expects a whole number from 0 to 10,000,000, got 10000001"),
        ('synthetic=3, seed="x"', "seed= expects a whole number, got 'x'"),
        ("synthetic=3, seed=1.0", "seed= expects a whole number, got 1.0"),
        ('catalog="", synthetic=None', "catalog= expects a Catalog or a file path, got ''"),
        ("catalog=3", "catalog= expects a Catalog or a file path, got 3"),
        ('catalog="x.json", synthetic=3', "give catalog= or synthetic=, not both"),
        ('api_keys="secret"', "api_keys: expected a list of keys, got a str (write api_keys=[...])"),
        ('api_keys=[""]', "api_keys[0]: a key must be non-empty visible ASCII*"),
        ('api_keys=["ok", " padded"]', "api_keys[1]: a key must be non-empty visible ASCII*"),
        ("api_keys=[1]", "api_keys[0]: expected a string, got a int"),
        ('api_keys=["a"], keys={"keys": {"b": {}}}', "give api_keys= or keys=, not both"),
        ('keys={"keys": {"secret": {"models": "x"}}}', "keys: keys[1]: models: expected a list of strings"),
        ('keys="no-such-keys.json"', "[Errno 2] No such file or directory: *no-such-keys.json*"),
        ('clock="yesterday"', "clock: expected an RFC 3339 date-time such as 2026-06-01T00:00:00Z, or now; *"),
    ],
)
def test_marker_arguments_are_checked_like_the_cli_flags(
    pytester: pytest.Pytester, arguments: str, message: str
) -> None:
    result = run(
        pytester,
        f"""
        import pytest

        @pytest.mark.anthropic_models({arguments})
        def test_it(anthropic_mock):
            pass
        """,
    )
    result.assert_outcomes(errors=1)
    [line] = [line for line in result.stdout.lines if line.startswith("E ") and "UsageError" in line]
    assert fnmatch.fnmatchcase(line, f"*@pytest.mark.anthropic_models: {message}".replace("[", "[[]")), line
    assert "secret" not in line and "padded" not in line  # a key is never echoed


def test_a_key_the_clients_do_not_send_is_explained_in_the_401(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import anthropic, pytest

        @pytest.mark.anthropic_models(api_keys=["prod-key"])
        def test_wrong_key(anthropic_client):
            with pytest.raises(anthropic.AuthenticationError) as caught:
                anthropic_client.models.list()
            message = caught.value.body["error"]["message"]
            assert message.startswith("invalid x-api-key (the test kit's clients send 'test-key'")
            assert "prod-key" not in message

        def test_hint_is_gone_after_the_test(anthropic_mock):
            import httpx
            anthropic_mock.set_api_keys(["other"])
            headers = {"x-api-key": "test-key", "anthropic-version": "2023-06-01"}
            body = httpx.get(anthropic_mock.base_url + "/v1/models", headers=headers).json()
            assert body["error"]["message"] == "invalid x-api-key"
        """,
    )
    result.assert_outcomes(passed=2)


def test_a_project_wide_catalog_from_the_ini_file(pytester: pytest.Pytester) -> None:
    (pytester.path / "data").mkdir()
    (pytester.path / "data" / "mine.json").write_text(
        json.dumps({"models": [{"id": "claude-mine-1", "display_name": "Mine", "created_at": "2030-01-01T00:00:00Z"}]})
    )
    pytester.makeini("[pytest]\nanthropic_catalog = data/mine.json\n")
    result = run(
        pytester,
        """
        import pytest

        def test_every_test_starts_from_it(anthropic_client, anthropic_mock):
            assert [m.id for m in anthropic_client.models.list()] == ["claude-mine-1"]
            anthropic_mock.remove_model("claude-mine-1")

        def test_and_comes_back_to_it(anthropic_mock):
            assert list(anthropic_mock.catalog.view().ids) == ["claude-mine-1"]

        @pytest.mark.anthropic_models(synthetic=3)
        def test_a_marker_still_wins(anthropic_mock):
            assert len(anthropic_mock.catalog) == 3
        """,
    )
    result.assert_outcomes(passed=3)


def test_a_missing_ini_catalog_stops_the_run_at_once(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nanthropic_catalog = nowhere.json\n")
    result = run(pytester, "def test_it():\n    pass\n")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*anthropic_catalog: no catalog file at *nowhere.json*"])


GOOD_MODEL = {"id": "m-1", "display_name": "M", "created_at": "2025-01-01T00:00:00Z"}
#: A catalog whose first entry has a bad field, and one whose alias points nowhere.
BAD_FIELD = {"models": [{**GOOD_MODEL, "created_at": "not-a-date"}]}
BAD_ALIAS = {"aliases": {"m": "nowhere"}, "models": [GOOD_MODEL]}
FIELD_PROBLEM = "models[0] (id 'm-1'): created_at: not an RFC 3339 date-time: 'not-a-date'"
ALIAS_PROBLEM = "aliases['m']: points to 'nowhere', which is not a model in the catalog"


def report_of(result: pytest.RunResult, test_name: str) -> list[str]:
    """The lines of the report pytest prints for ``test_name``'s error, under its ``___ ERROR ... ___`` header."""
    lines = result.stdout.lines
    start = next(i for i, line in enumerate(lines) if f" ERROR at setup of {test_name} " in line) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith(("_", "=")))
    return lines[start:end]


def test_a_bad_marker_catalog_fails_its_test_in_one_line(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\n")
    (pytester.path / "field.json").write_text(json.dumps(BAD_FIELD))
    (pytester.path / "alias.json").write_text(json.dumps(BAD_ALIAS))
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.anthropic_models(catalog="field.json")
        def test_bad_field(anthropic_mock):
            pass

        @pytest.mark.anthropic_models(catalog="alias.json")
        def test_bad_alias(anthropic_mock):
            pass

        def test_others_still_run(anthropic_mock):
            pass
        """,
        "--showlocals",
    )
    result.assert_outcomes(passed=1, errors=2)
    marker = "@pytest.mark.anthropic_models"
    assert report_of(result, "test_bad_field") == [f"{marker}: {pytester.path / 'field.json'}: {FIELD_PROBLEM}"]
    assert report_of(result, "test_bad_alias") == [f"{marker}: {pytester.path / 'alias.json'}: {ALIAS_PROBLEM}"]
    output = result.stdout.str() + result.stderr.str()
    for noise in ("Traceback", "During handling", "raised in repr", "plugin.py", "catalog.py"):
        assert noise not in output


def test_a_bad_ini_catalog_stops_the_session_before_any_test(pytester: pytest.Pytester) -> None:
    (pytester.path / "field.json").write_text(json.dumps(BAD_FIELD))
    pytester.makeini("[pytest]\nanthropic_catalog = field.json\n")
    result = run(
        pytester,
        """
        def test_without_the_fake():
            pass

        def test_with_the_fake(anthropic_mock):
            pass
        """,
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    said = [line for line in result.stderr.lines if line.strip()]
    assert said == [f"ERROR: anthropic_catalog: {pytester.path / 'field.json'}: {FIELD_PROBLEM}"]
    assert "test session starts" not in result.stdout.str()
    assert not any(word in result.stdout.str() for word in ("passed", "failed", "error"))


def test_an_ini_catalog_that_is_not_a_file_is_named_for_what_it_is(pytester: pytest.Pytester) -> None:
    (pytester.path / "models").mkdir()
    pytester.makeini("[pytest]\nanthropic_catalog = models\n")
    result = run(pytester, "def test_nothing():\n    pass\n")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    said = [line for line in result.stderr.lines if line.strip()]
    assert said == [
        f"ERROR: anthropic_catalog: {pytester.path / 'models'}: cannot read catalog file: it is a directory,"
        " not a regular file"
    ]


def test_the_ini_catalog_is_loaded_once(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    from anthropic_models_mock import Catalog

    loaded: list[str] = []
    from_file = Catalog.from_file

    def counted(cls: type[Catalog], path: str | Path, /, **options: Any) -> Catalog:
        loaded.append(str(path))
        return from_file(path, **options)

    monkeypatch.setattr(Catalog, "from_file", classmethod(counted))
    (pytester.path / "mine.json").write_text(json.dumps({"models": [GOOD_MODEL]}))
    pytester.makeini("[pytest]\nanthropic_catalog = mine.json\n")
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.parametrize("n", range(3))
        def test_it(anthropic_mock, n):
            assert list(anthropic_mock.catalog.view().ids) == ["m-1"]
        """,
    )
    result.assert_outcomes(passed=3)
    assert loaded == [str(pytester.path / "mine.json")]


def test_the_repr_of_a_catalog_never_raises() -> None:
    from anthropic_models_mock import Catalog, CatalogError

    assert repr(object.__new__(Catalog)) == "<Catalog (not built)>"
    with pytest.raises(CatalogError) as caught:  # the catalog being built is in the traceback's locals
        Catalog.from_document(BAD_ALIAS, source="mine.json")
    half_built = [value for entry in caught.traceback for value in entry.locals.values() if isinstance(value, Catalog)]
    assert half_built
    assert [repr(catalog) for catalog in half_built] == ["<Catalog (not built)>"] * len(half_built)
    assert repr(Catalog.from_document({"models": [GOOD_MODEL]}, source="mine.json")) == (
        "<Catalog mine.json models=1 aliases=0>"
    )


def test_a_project_wide_catalog_from_a_conftest_fixture(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest
        from anthropic_models_mock import Catalog

        @pytest.fixture(scope="session")
        def anthropic_mock_catalog():
            return Catalog.synthetic(7, seed=3)
        """
    )
    result = run(
        pytester,
        """
        def test_it(anthropic_mock, anthropic_client):
            assert len(anthropic_mock.catalog) == 7
            assert [m.id for m in anthropic_client.models.list()] == list(anthropic_mock.catalog.view().ids)
        """,
    )
    result.assert_outcomes(passed=1)


def test_anthropic_live_without_a_key_fails_once_at_start(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    pytester.makepyfile(test_a="def test_one(anthropic_api):\n    pass\n\ndef test_two(anthropic_api):\n    pass\n")
    result = pytester.runpytest_inprocess(*QUIET, "--anthropic-live")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.str().count("--anthropic-live needs ANTHROPIC_API_KEY") == 1


LIVE_TEST = """
from anthropic_models_testkit.contract import check_forward_walk

def test_walk(anthropic_api):
    assert check_forward_walk(anthropic_api, limit=7)
"""


def test_the_live_run_prints_the_drift_of_the_fake_s_catalog(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    from commands import serving

    key = "sk-live-run-SECRET-key"
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    with serving() as (_, url, _lines):
        same = run(pytester, LIVE_TEST, "--anthropic-live", "--anthropic-live-url", url)
        httpx.post(
            f"{url}/_mock/models",
            json={"id": "claude-opus-6", "display_name": "Claude Opus 6", "created_at": "2026-12-01T00:00:00Z"},
        ).raise_for_status()
        httpx.delete(f"{url}/_mock/aliases/claude-opus-4-0").raise_for_status()
        drifted = run(pytester, LIVE_TEST, "--anthropic-live", "--anthropic-live-url", url)
    same.assert_outcomes(passed=2)
    assert "anthropic catalog drift" in same.stdout.str()
    assert "same: 29 models, 10 aliases serve the same bodies" in same.stdout.str()
    drifted.assert_outcomes(passed=2)
    output = drifted.stdout.str()
    assert '  + claude-opus-6  "Claude Opus 6"  active, created 2026-12-01T00:00:00Z' in output
    assert "  - claude-opus-4-0 (was → claude-opus-4-20250514)" in output
    assert "differ: 1 added, 0 removed, 0 changed, 1 alias change" in output
    assert key not in output + drifted.stderr.str()


def test_a_live_run_that_cannot_record_says_so_in_one_line(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    from commands import serving

    monkeypatch.setenv("ANTHROPIC_API_KEY", "not-the-key")
    pytester.makepyfile(test_user="def test_nothing():\n    pass\n")
    with serving("--api-key", "the-key") as (_, url, _lines):
        result = pytester.runpytest_inprocess(*QUIET, "--anthropic-live", "--anthropic-live-url", url)
    result.assert_outcomes(passed=1)
    expected = f"could not record {url} to compare: the key in $ANTHROPIC_API_KEY was refused: GET {url}/v1/models"
    assert expected in result.stdout.str()
