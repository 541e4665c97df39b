"""The ``news-etl`` program's entry point.

For ``news-etl run`` it forks the run's GX helper (:mod:`etl.children`) first, before the CLI's
own imports (typer, rich, DuckDB, pyarrow, pydantic: ~0.3 s), so that the helper's import of
Great Expectations, the longest path of a small run, starts that much earlier; the ``run``
command takes that helper instead of forking its own. Every other command goes straight to
:mod:`etl.cli`.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the ``news-etl`` command line (see :mod:`etl.cli`)."""
    arguments = sys.argv[1:]
    if arguments[:1] == ["run"] and not {"--help", "-h"} & set(arguments):
        from etl.children import prestart_gx_helper

        prestart_gx_helper()
    from etl.cli import app

    app()
