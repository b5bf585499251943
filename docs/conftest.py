"""pytest collects the ``>>>`` examples of the user guide (``*.rst``); nothing else here.

``conf.py`` configures Sphinx, and the folders below are written by the build.
"""

collect_ignore = ["conf.py"]
collect_ignore_glob = ["_build/*", "auto_examples/*", "gen_modules/*"]
