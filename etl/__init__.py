"""news-etl: raw news-article text to a DuckDB star schema.

The package holds all of the pipeline's logic and never imports Airflow: every stage runs and is
tested on its own, and :mod:`etl.pipeline` composes them for both the CLI and the DAGs.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("news-etl")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0.0.0+unknown"

#: Changes whenever cleaning, tokenization or normalisation can produce different output for the
#: same input. Every loaded article records it, so a backfill can find stale partitions.
TEXT_VERSION = "text-1"

__all__ = ["TEXT_VERSION", "__version__"]
