import importlib.util

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
