"""``python -m mockserver``: the same as the ``mockserver`` command."""

from .cli.main import main

main()
