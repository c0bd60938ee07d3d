"""How a catalog holds its models: each one's served JSON, pre-serialised, in blocks of a B+ tree.

``rows`` makes models into rows (the one writer of a served body), ``blocks`` stores them (a
change copies one block and its path), ``pmap`` and ``aliases`` are the persistent maps of ids and
aliases. Internal to the package: the catalog is its only user.
"""
