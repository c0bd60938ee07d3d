import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import settings

pytest_plugins = ["pytester"]

# pytester's in-process runs drop the modules first imported inside them. httpx and httpx2 map
# httpcore's exceptions to their own through a table built on first use: built inside such a run, it
# would name a copy of httpcore that is gone, and a later timeout in this process would escape unmapped.
# Importing httpcore here keeps one copy for the whole session.
for _name in ("httpcore2", "httpcore"):
    if importlib.util.find_spec(_name) is not None:
        importlib.import_module(_name)

# No timed asserts: Hypothesis's per-example deadline fails a test when the machine is busy, not
# when the code is wrong. (The plugin tests' in-process pytester runs share this profile.)
settings.register_profile("anthropic-models-mock", deadline=None)
settings.load_profile("anthropic-models-mock")


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """Without pytest-xdist (``-p no:xdist``), take the ``--numprocesses`` and ``--dist`` of pyproject.toml's
    addopts, and run in this process as ``-n 0`` does."""
    if not pluginmanager.has_plugin("xdist"):
        parser.addoption("--numprocesses", default=None, help="(without pytest-xdist: ignored)")
        parser.addoption("--dist", default="no", help="(without pytest-xdist: ignored)")


# -- the slow tier ---------------------------------------------------------------------------------------
# `pytest -m "not slow"` is the fast tier: the tests that run in this process, for the edit-test loop.
# Marked slow here, in one list, are the tests that take seconds or start other programs: mockserver
# processes, pytest sessions, a browser, node, pip, schemathesis, big catalogs, long property runs.
# One list rather than marks in each file: it is the whole tier in one place, it reaches files that other
# work owns (the docs' tests, the packaging tests), and it is checked: a file or test name that is no
# longer there stops the run.

#: Every test of these files: each starts a process, or builds something big.
SLOW_FILES = {
    "test_cli.py": "the mockserver command run as a user runs it: a process, sockets, signals",
    "test_packaging.py": "the wheel built and installed in new virtual environments",
    "test_scale.py": "a million models built and a big catalog file read while requests are answered",
    "test_soak.py": "a soak run under faults",
    "test_typescript.py": "node and two releases of the TypeScript SDK against a mockserver process",
}

#: A test that uses one of these fixtures, in any file.
SLOW_FIXTURES = {
    "browser": "a Chromium driven by Playwright (tests/test_ui.py)",
    "pytester": "a pytest session of its own: the plugin's tests, the docs' test files",
}

#: Single tests, by function name (every parametrization) or by name with its [id].
SLOW_TESTS = {
    "test_bounds.py": ["test_a_cancelled_catalog_build_still_holds_the_slot_until_it_ends"],
    "test_catalog_files.py": ["test_endless_standard_input_is_one_line_even_when_memory_runs_out"],
    "test_cors.py": ["test_a_browser_gets_the_answer_plus_cors_headers_or_the_refusal"],
    "test_docs.py": ["test_record_recipe", "test_cli_fault_example", "test_the_views_recipe_prints_what_its_page_says"],
    "test_hostile.py": ["test_distinct_long_valid_queries_do_not_grow_memory"],
    "test_loading.py": [
        "test_any_document_loads_as_the_reference_path_loads_it",
        "test_out_of_order_files_are_sorted",
        "test_synthetic_catalogs[600-4]",
        "test_synthetic_catalogs[1500-11]",
    ],
    "test_openapi.py": [
        "test_schemathesis_finds_nothing",
        "test_schemathesis_finds_nothing_in_the_admin_api",
        "test_schemathesis_finds_nothing_in_the_catalog_replacement",
        "test_schemathesis_finds_nothing_in_the_journal_stream",
    ],
    "test_recording.py": [
        "test_a_recording_of_the_embedded_catalog_serves_the_same_bytes",
        "test_a_recording_of_3000_synthetic_models_serves_the_same_bytes",
        "test_a_recording_under_injected_faults_retries_and_serves_the_same_bytes",
        "test_another_variable_can_hold_the_key",
        "test_a_failed_run_leaves_an_existing_file_as_it_was",
        "test_diff_against_a_recording_of_a_changed_fake_exits_1_with_a_readable_report",
        "test_the_project_s_drift_script_exits_0_without_drift_and_1_with_it",
        "test_a_recording_is_what_the_key_sees_in_its_workspace_and_says_so",
    ],
}


def _is_slow(item: pytest.Item) -> bool:
    file = item.path.name
    names = SLOW_TESTS.get(file, ())
    return (
        file in SLOW_FILES
        or not SLOW_FIXTURES.keys().isdisjoint(getattr(item, "fixturenames", ()))
        or item.name in names
        or getattr(item, "originalname", item.name) in names
    )


@pytest.hookimpl(tryfirst=True)  # before -m chooses by the marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    modules: dict[str, ModuleType] = {}
    collected: set[tuple[str, str]] = set()
    for item in items:
        if isinstance(item, pytest.Function):
            modules[item.path.name] = item.module
            collected |= {(item.path.name, item.name), (item.path.name, item.originalname)}
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)
    here = Path(__file__).parent
    stale = [file for file in [*SLOW_FILES, *SLOW_TESTS] if not (here / file).is_file()]
    stale += [
        f"{file}::{name}"
        for file, names in SLOW_TESTS.items()
        if file in modules
        for name in names
        if not callable(getattr(modules[file], name.partition("[")[0], None))
        or ("[" in name and (file, name.partition("[")[0]) in collected and (file, name) not in collected)
    ]
    if stale:
        raise pytest.UsageError(f"tests/conftest.py names slow tests that are not there: {', '.join(stale)}")
