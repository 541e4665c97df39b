"""The one typed settings object, read from ``NEWS_ETL_*`` environment variables.

Every knob of the pipeline lives here; CLI options and DAG params override single fields with
:meth:`Settings.model_copy`. Paths are resolved against the current directory when relative.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Collection, Mapping
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from etl.target import WarehouseTarget, local_path, parse_target

#: The repository root when running from a checkout (``etl/`` sits directly below it).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Default of :attr:`Settings.story_window_days` (also the loader's when it is not told).
DEFAULT_STORY_WINDOW_DAYS = 30


def _usable_cores() -> int:
    """The CPU cores this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


#: Bytes per unit of a memory setting (DuckDB's: KB is 1000 bytes, KiB 1024).
_MEMORY_UNITS = {
    "B": 1,
    **{f"{p}B": 1000**i for i, p in enumerate("KMGT", start=1)},
    **{f"{p}iB": 1024**i for i, p in enumerate("KMGT", start=1)},
}
#: The least of each memory setting, and how its error says it: below 64 MB a load failed
#: in its migrations; a reader's connection refused 0 bytes. DuckDB reads no more than about
#: 16 EiB (MAX_MEMORY, 1000 TB, is more than any machine here has).
MIN_MEMORY = {
    "duckdb_memory_limit": (64 * 1000**2, "64MB (a load failed with less)"),
    "reader_memory_limit": (1000**2, "1MB"),
}
MAX_MEMORY = 1000**5
#: A memory setting as DuckDB reads it: ASCII digits ('_' between two of them, as Python's
#: numbers), an optional fraction, ASCII white space, a unit (checked against _MEMORY_UNITS).
_MEMORY_SIZE = re.compile(r"([0-9]+(?:_[0-9]+)*(?:\.[0-9]+(?:_[0-9]+)*)?)\s*([A-Za-z]+)", re.ASCII)

#: The settings whose value is a path, a URL or a name, kept as given; every other one (a
#: number, a size, true/false, a choice) is read without the white space around it.
_KEPT_AS_GIVEN = frozenset(
    {
        "landing",
        "warehouse",
        "ducklake_data_path",
        "staging_dir",
        "schemas_dir",
        "reports_dir",
        "cache_dir",
        "airflow_db",
        "airflow_broker",
        "airflow_api_host",
    }
)

#: The variable that names the host a Celery worker's tasks record (etl.airflow_env.task_hostname).
TASK_HOSTNAME_VAR = "NEWS_ETL_AIRFLOW_HOSTNAME"

#: ``NEWS_ETL_*`` variables the project reads that are not settings (no warning that they are
#: ignored, :func:`ignored_variables`); each with who reads it.
OTHER_VARIABLES = frozenset(
    {
        TASK_HOSTNAME_VAR,  # etl.airflow_env (set by etl.airflow_cluster for each Celery worker)
        "NEWS_ETL_CORPORA_DIR",  # tests/unit/_corpora.py, benchmarks/, Makefile, .ci/run
        "NEWS_ETL_TEST_AIRFLOW_DB",  # tests/conftest.py, tests/dags/test_metadata_db.py, .ci/run
        "NEWS_ETL_TEST_STANDALONE",  # tests/dags/test_standalone.py (.ci/run sets it)
        "NEWS_ETL_TEST_STANDALONE_DB",  # tests/dags/test_standalone.py (.ci/run sets it)
        "NEWS_ETL_TEST_CELERY",  # tests/dags/test_celery.py (.ci/run sets it)
        "NEWS_ETL_TEST_CELERY_DB",  # tests/dags/test_celery.py (.ci/run sets it)
        "NEWS_ETL_TEST_CELERY_BROKER",  # tests/dags/test_celery.py (.ci/run sets it)
        "NEWS_ETL_TEST_CLUSTER",  # tests/dags/test_cluster.py (.ci/run sets it)
        "NEWS_ETL_TEST_CLUSTER_DB",  # tests/dags/test_cluster.py (.ci/run sets it)
        "NEWS_ETL_TEST_CLUSTER_BROKER",  # tests/dags/test_cluster.py (.ci/run sets it)
        "NEWS_ETL_TEST_FAULT_TABLE",  # tests/faults/conftest.py
        "NEWS_ETL_TEST_SCREENSHOT",  # tests/integration/test_run_report.py
    }
)

#: Settings that a module of ``etl/`` reads as environment variables rather than from a
#: :class:`Settings`, by module and variable, each with why it cannot read the settings object;
#: tests/unit/test_environment_reads.py fails on any other read of a ``NEWS_ETL_*`` name there
#: (those of :data:`OTHER_VARIABLES` aside, which are not settings).
DIRECT_READS: dict[tuple[str, str], str] = {
    ("etl/target.py", "NEWS_ETL_WAREHOUSE"): "unmask() takes a masked URL's password from the "
    "URL this process was given; it runs inside the validation of the settings (parse_target), "
    "which import etl.target, so it cannot load them, and a bad value must fail where it is read",
    ("etl/airflow_env.py", "NEWS_ETL_AIRFLOW_DB"): "the environment handed to Airflow's processes "
    "(``base``, default os.environ) names the metadata database before this process's settings "
    "(airflow_environment, celery_environment: a caller's ``base`` wins)",
    ("etl/airflow_env.py", "NEWS_ETL_AIRFLOW_BROKER"): "the same, for the Celery broker",
    ("etl/airflow_cluster.py", "NEWS_ETL_AIRFLOW_DB"): "the environment celery_environment built "
    "(the database it chose), announced before it is used",
}

#: The most days a setting counted in days may give (a hundred years): three million days
#: overflowed Python's dates part-way through a run (probe, session 40).
MAX_DAYS = 36_500


class Settings(BaseSettings):
    """Pipeline settings; each field ``x`` is read from ``NEWS_ETL_X``."""

    model_config = SettingsConfigDict(env_prefix="NEWS_ETL_", extra="ignore", frozen=True)

    landing: Path | str = Field(
        default=PROJECT_ROOT / "warehouse" / "sample-landing",
        description="Landing zone holding raw article files: a folder, or an object-storage URL "
        "(s3://, gs://, memory:// ... read through fsspec; file:// URLs are folders).",
    )
    warehouse: Path = Field(
        default=PROJECT_ROOT / "warehouse" / "news.duckdb",
        description="The warehouse: a DuckDB file, or a DuckLake URL "
        "(ducklake:postgres:dbname=... host=... port=... user=..., or "
        "ducklake:/path/catalog.ducklake). Code asks `target` what it is; for DuckLake this "
        "field holds the URL unchanged (str() gives it back), so the many functions that take "
        "the warehouse as a path keep their signature and dispatch on it.",
    )
    ducklake_data_path: str | None = Field(
        default=None,
        description="Where a DuckLake warehouse keeps its Parquet data files (DuckLake's "
        "DATA_PATH): a local folder, or an object-storage URL (s3://...) passed through "
        "unchanged. Needed when a DuckLake catalog is created; later attaches read it from "
        "the catalog. Default for a file catalog: <catalog>.files/ beside it.",
    )
    staging_dir: Path | str | None = Field(
        default=None,
        description="Where run-scoped Parquet staging lives: a folder, or an object-storage URL "
        "(s3://bucket/prefix, gs://... through fsspec; file:// URLs are folders) that every "
        "worker can reach; default: <warehouse dir>/staging.",
    )
    schemas_dir: Path = Field(
        default=PROJECT_ROOT / "schemas",
        description="Folder with migrations/ (warehouse DDL) and expectations/ (GX suites).",
    )
    batch_size: int = Field(default=500, ge=1, description="Files per text-processing batch.")
    batch_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=1,
        description="Raw bytes per batch (a .gz file counts the uncompressed size its gzip "
        "trailer gives, at least four times its own): a batch ends at batch_size files or at "
        "this many bytes, whichever comes first; a larger file is a batch alone.",
    )
    workers: int = Field(
        default_factory=lambda: _usable_cores(),
        ge=1,
        description="Processes for the ingest and text batches of a CLI run (default: the "
        "cores this process may use); the load stays one writer.",
    )
    validate_chunk_articles: int = Field(
        default=20_000,
        ge=1,
        description="The validate stage checks a run's batches together, in chunks of up to "
        "this many articles (one Great Expectations validation per suite and chunk).",
    )
    max_file_bytes: int = Field(
        default=50 * 1024 * 1024, ge=1, description="Files larger than this are quarantined."
    )
    lock_timeout_s: float = Field(
        default=600.0, ge=0, description="How long a writer waits for the warehouse lock."
    )
    duckdb_memory_limit: str = Field(
        # A 100,000-article load stays under ~1.6 GB of RSS with 768MB (~3 GB with 4GB, the
        # old default, which gained no speed on 2 cores): the process adds ~0.8 GB of its own
        # (Python, GX, story matching) and DuckDB ~0.3 GB outside its limit.
        default="768MB",
        description="Memory the load's DuckDB connection may use before it spills to disk "
        "(DuckDB's own default is 80% of the machine's memory).",
    )
    query_timeout_s: float = Field(
        default=300.0,
        ge=0,
        description="`news-etl query` stops a query that runs longer than this (0: no limit).",
    )
    reader_memory_limit: str = Field(
        default="2GB",
        description="Memory one `news-etl query` connection may use (DuckDB's own default is "
        "80% of the machine's memory).",
    )
    abandoned_after_s: float = Field(
        default=21600.0,
        ge=0,
        description="A staging folder of a run split over processes (Airflow) that nothing "
        "has touched for this long is an abandoned run's: recorded and removed by the next run.",
    )
    keep_staging: bool = Field(
        default=False, description="Keep a run's staging folder after a successful load."
    )
    max_quarantine_share: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="A run fails when more than this share of its new files is quarantined.",
    )
    quarantine_check_min_files: int = Field(
        default=20,
        ge=1,
        description="Batch-level checks (quarantine share, zero articles) apply only to runs "
        "with at least this many new files.",
    )
    write_reports: bool = Field(
        default=True,
        description="Write the HTML run report and the run's GX Data Docs after every load.",
    )
    future_date_allowance_days: int = Field(
        default=1,
        ge=0,
        le=MAX_DAYS,
        description="How many days after today (or the run's date) a published date may lie: "
        "later dates are quarantined as future_date by ingest and fail the article suite's "
        "date range (time zones put a publisher's today up to a day ahead of ours).",
    )
    max_replacement_ratio: float = Field(
        default=0.01,
        ge=0.0,
        le=1.0,
        description="An article whose share of U+FFFD replacement characters is larger is "
        "quarantined: the text was damaged before it reached the landing zone.",
    )
    max_mojibake_ratio: float = Field(
        default=0.01,
        ge=0.0,
        le=1.0,
        description="An article whose share of mojibake characters ('Ã©', 'â€™') is larger is "
        "quarantined (expectation expect_column_values_to_have_few_mojibake_markers).",
    )
    max_boilerplate_ratio: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="An article whose share of boilerplate paragraphs (copyright, newsletter, "
        "cookie prompts) is larger is quarantined.",
    )
    min_article_chars: int = Field(
        default=1, ge=1, description="Articles with fewer cleaned characters are quarantined."
    )
    min_article_terms: int = Field(
        default=5,
        ge=1,
        description="Articles with fewer distinct terms (words, numbers) are stubs, not news "
        "('-1', 'View Comments', a bare name) and are quarantined "
        "(expect_column_values_to_be_between on n_terms). Real wire briefs have 8 or more.",
    )
    max_article_chars: int = Field(
        default=2_000_000,
        ge=1,
        description="Articles with more cleaned characters are quarantined.",
    )
    story_window_days: int = Field(
        default=DEFAULT_STORY_WINDOW_DAYS,
        ge=0,
        le=MAX_DAYS,
        description="Stories are near-duplicates published within this many days of each "
        "other: an article matches only candidates whose published date is at most this many "
        "days before or after its own (0: the same day only). A run uses the value it was "
        "planned with; changing it affects only articles assigned afterwards.",
    )
    reports_dir: Path | None = Field(
        default=None,
        description="Where each run's pages go (<dir>/<run_id>/quality.html, report.html, "
        "data_docs/index.html); default: <warehouse dir>/reports.",
    )
    cache_dir: Path | None = Field(
        default=None,
        description="Where derived model data that is slow to build (the language model's "
        "arrays, ~85 MB) is kept between processes; default: $XDG_CACHE_HOME/news-etl, else "
        "~/.cache/news-etl. Safe to delete.",
    )
    airflow_parallelism: int | None = Field(
        default=None,
        ge=1,
        description="How many Airflow tasks run at once, which is also the number of "
        "LocalExecutor worker processes the project's Airflow starts; default: the CPUs this "
        "process may use, at least 2 (Airflow's own default is 32 whatever the machine).",
    )
    airflow_executor: Literal["local", "celery"] = Field(
        default="local",
        description="How `news-etl airflow start` runs tasks: 'local' (`airflow standalone`, "
        "LocalExecutor) or 'celery' (API server, scheduler, DAG processor and Celery workers; "
        "needs airflow_db and airflow_broker).",
    )
    airflow_db: str | None = Field(
        default=None,
        description="SQLAlchemy URL of Airflow's metadata database (e.g. "
        "postgresql+psycopg://user@127.0.0.1:5432/airflow); default: SQLite in the Airflow "
        "home. Required for the celery executor (Postgres), whose result backend it also is.",
    )
    airflow_broker: str | None = Field(
        default=None,
        description="Celery broker URL for the celery executor, e.g. redis://127.0.0.1:6379/0.",
    )
    airflow_celery_workers: int = Field(
        default=2,
        ge=0,
        description="Celery workers `news-etl airflow start --executor celery` starts (0: the "
        "workers run on other machines, `news-etl airflow worker`).",
    )
    airflow_api_host: str = Field(
        default="127.0.0.1",
        description="The address the Celery cluster's API server listens on: loopback, or an "
        "address that workers on other machines reach (docs/deploy.md).",
    )
    airflow_worker_concurrency: int = Field(
        default_factory=lambda: _usable_cores(),
        ge=1,
        description="Tasks each Celery worker runs at once (default: the cores this process "
        "may use).",
    )
    txt_layout: Literal["canonical", "titled"] = Field(
        default="canonical",
        description="How .txt files start: 'canonical' (' date YYYY-MM-DD body') or 'titled' "
        "(a title line, then a blank line). Both accept the date header.",
    )

    @field_validator("landing", mode="before")
    @classmethod
    def _landing(cls, value: object) -> object:
        # A URL stays a string (fsspec reads it); anything else is a local folder. An empty one
        # was the process's working folder, whose files a run then loaded (probe: a DAG param
        # `landing: ""`).
        text = str(value)
        if not text.strip():
            raise ValueError(
                "the landing zone is empty: give a folder or a URL (such as s3://bucket/prefix)"
            )
        if text.startswith("file://"):
            return Path(unquote(urlsplit(text).path)).absolute()
        if "://" in text:
            return text
        return local_path(text)

    @field_validator("warehouse", mode="before")
    @classmethod
    def _warehouse(cls, value: object) -> object:
        # A DuckLake URL stays a string; anything else is the DuckDB file's absolute path. Both
        # are parsed as etl.target does: one that names no database file (empty, a folder) is
        # refused here, before a writer creates a lock file or a database beside it.
        return Path(parse_target(str(value)).location)

    @field_validator("*", mode="before")
    @classmethod
    def _trimmed(cls, value: object, info: ValidationInfo) -> object:
        # A number, a size, true/false or a choice is read without the white space around it:
        # pydantic took " 7 " as 7 but refused " true " and " 1_000 " for a float (probe V).
        # Paths, URLs and names are kept as given (a folder's name may end in a space).
        if isinstance(value, str) and info.field_name not in _KEPT_AS_GIVEN:
            return value.strip()
        return value

    @field_validator("ducklake_data_path", mode="before")
    @classmethod
    def _data_path(cls, value: object) -> object:
        # A URL (s3://, gs://, ...) goes to DuckLake unchanged; a local folder becomes absolute.
        # Empty is unset (`--data-path "$NEWS_ETL_DUCKLAKE_DATA_PATH"` with it unset); only
        # white space made a folder of that name in the working folder (probe V).
        if value is None or value == "":
            return None
        text = str(value)
        if not text.strip():
            raise ValueError(
                "the folder is empty: leave it unset (its default) or give a folder or a URL"
            )
        if "://" in text:
            return text
        return str(local_path(text)) + "/"

    @field_validator("staging_dir", mode="before")
    @classmethod
    def _staging_dir(cls, value: object) -> object:
        # A URL stays a string (see etl.storage); file:// URLs and paths are local folders.
        if value is None:
            return None
        text = str(value)
        if not text.strip():  # was the working folder, whose folders a run took for its own
            raise ValueError(
                "the staging folder is empty: leave it unset (a folder beside the warehouse) "
                "or give a folder or a URL"
            )
        if text.startswith("file://"):
            return Path(unquote(urlsplit(text).path)).absolute()
        if "://" in text:
            return text.rstrip("/")
        return local_path(text)

    @field_validator("duckdb_memory_limit", "reader_memory_limit", mode="after")
    @classmethod
    def _memory_size(cls, value: str, info: ValidationInfo) -> str:
        # 0MB passed the pattern and failed the load after every other stage had run (and left
        # an empty warehouse file behind); 8MB failed the migrations; 99999999999TB is more than
        # DuckDB reads (probe, session 40).
        # Digits are ASCII: '١٠٠MB' passed (Python reads any script's digits) and DuckDB
        # refused it at the load, after every other stage (probe V). '_' between digits is
        # read as in the numeric settings, and dropped: DuckDB reads no '_'.
        sized = _MEMORY_SIZE.fullmatch(value)
        if sized is None or sized.group(2) not in _MEMORY_UNITS:
            raise ValueError(
                f"give a size such as 768MB or 2GiB (units: {', '.join(_MEMORY_UNITS)}); "
                f"given {value!r}"
            )
        least, what = MIN_MEMORY[info.field_name or ""]
        if not least <= float(sized.group(1)) * _MEMORY_UNITS[sized.group(2)] <= MAX_MEMORY:
            raise ValueError(f"give from {what} to 1000TB")
        return value.replace("_", "")

    @field_validator("schemas_dir", "reports_dir", "cache_dir", mode="before")
    @classmethod
    def _not_empty(cls, value: object) -> object:
        # An empty folder was the working folder: a run wrote its pages, or the cache its
        # arrays, into whatever folder it was started from (probe, session 40).
        if value is not None and not str(value).strip():
            raise ValueError("the folder is empty: leave it unset (its default) or give a folder")
        return value

    @field_validator("schemas_dir", "reports_dir", "cache_dir", mode="after")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        return None if value is None else local_path(value)

    @field_validator("schemas_dir", mode="after")
    @classmethod
    def _schemas_exist(cls, value: Path) -> Path:
        # A folder that is not there failed the run at its validate step, after ingest and
        # text had run, naming <folder>/expectations and not the setting (probe, session 40).
        if not value.is_dir():
            raise ValueError(f"no folder at {value} (the project's schemas/ folder or a copy)")
        return value

    @cached_property
    def target(self) -> WarehouseTarget:
        """The warehouse as one typed notion: a DuckDB file or a DuckLake, with its local
        folder (see :class:`WarehouseTarget`)."""
        return parse_target(str(self.warehouse), self.ducklake_data_path)

    @cached_property
    def staging_root(self) -> Path | str:
        """The folder (or object-storage URL) under which each run gets its own staging folder."""
        return self.staging_dir or self.target.local_dir / "staging"

    @property
    def cache_root(self) -> Path:
        """The folder of the cross-process cache (:mod:`etl.cache`)."""
        if self.cache_dir is not None:
            return self.cache_dir
        xdg = os.environ.get("XDG_CACHE_HOME")
        return (Path(xdg) if xdg else Path.home() / ".cache") / "news-etl"

    @property
    def reports_root(self) -> Path:
        """The folder under which each run gets its quality report folder."""
        return self.reports_dir or self.target.local_dir / "reports"

    @property
    def migrations_dir(self) -> Path:
        """Numbered SQL migrations of the warehouse schema."""
        return self.schemas_dir / "migrations"

    @property
    def expectations_dir(self) -> Path:
        """Great Expectations suites, one JSON file per record type."""
        return self.schemas_dir / "expectations"

    @property
    def airflow_workers(self) -> int:
        """Airflow's ``parallelism`` (and LocalExecutor worker processes) for this machine."""
        if self.airflow_parallelism is not None:
            return self.airflow_parallelism
        return max(2, len(os.sched_getaffinity(0)))

    @property
    def lock_path(self) -> Path:
        """The writer lock file next to the warehouse (for DuckLake: next to its catalog
        file, or in its local folder for a Postgres catalog, where no lock is taken)."""
        return self.target.lock_path

    def overlap(self) -> str | None:
        """What is wrong when the landing zone and the folders a run writes share files, else
        ``None``: the landing zone holding the warehouse, the staging folder or the reports (a
        run loaded its own warehouse, lock and Data Docs pages as news), or a staging folder
        holding the landing zone (leftover clean-up removes what it finds there)."""
        if not isinstance(self.landing, Path):
            return None
        landing = self.landing.resolve()
        written = {
            "the warehouse": self.target.file,
            "the staging folder": self.staging_root,
            "the reports folder": self.reports_root,
        }
        for name, place in written.items():
            if not isinstance(place, Path):
                continue
            where = place.resolve()
            if where == landing or landing in where.parents:
                return (
                    f"the landing zone {self.landing} holds {name} ({place}): a run would read "
                    "its own files as news; keep them apart"
                )
            if name == "the staging folder" and where in landing.parents:
                return (
                    f"the staging folder {place} holds the landing zone {self.landing}: keep "
                    "them apart"
                )
        return None


def describe_invalid(exc: ValidationError, options: Collection[str] = ()) -> str:
    """The invalid settings of ``exc``, one per line: where the value came from (the option
    ``--x`` for a field named in ``options``, else the variable ``NEWS_ETL_X``), what is wrong,
    and the value given (a check of this module quotes it itself)."""
    lines = []
    for problem in exc.errors():
        name = ".".join(str(part) for part in problem["loc"])
        source = f"--{name.replace('_', '-')}" if name in options else f"NEWS_ETL_{name.upper()}"
        message = str(problem["msg"]).removeprefix("Value error, ")
        if problem["type"] != "value_error":
            message += f"; given {str(problem.get('input'))!r}"
        lines.append(f"{source}: {message}")
    return "\n".join(lines)


def ignored_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """A warning for each ``NEWS_ETL_*`` variable of ``environ`` (default: this process's) that
    is neither a setting nor in :data:`OTHER_VARIABLES`, naming the closest setting if any: a
    misspelt one (``NEWS_ETL_WAREHOSE``) was ignored without a word, and the run used the
    default warehouse. Names are compared in upper case, as pydantic-settings reads them."""
    prefix = str(Settings.model_config.get("env_prefix", "")).upper()
    fields = [name.upper() for name in Settings.model_fields]  # compared without the prefix
    known = {prefix + field for field in fields} | OTHER_VARIABLES
    warnings = []
    for name in sorted(os.environ if environ is None else environ):
        if not name.upper().startswith(prefix) or name.upper() in known:
            continue
        message = f"{name} is not a news-etl setting and is ignored"
        closest = difflib.get_close_matches(name.upper().removeprefix(prefix), fields, n=1)
        if closest:
            message += f" (did you mean {prefix}{closest[0]}?)"
        warnings.append(message)
    return warnings


def seconds(value: float) -> str:
    """A number of seconds (a setting such as ``lock_timeout_s``, or what is left of it) as a
    message shows it: to the hundredth, without trailing zeros: 0.4 is ``0.4s``, 60.0 ``60s``,
    2.5 ``2.5s``, the 59.99872 s left of a minute ``60s`` (``:.0f`` showed 0.4 as ``0s``); a
    value that small rounding would make 0 is shown whole."""
    if not math.isfinite(value):
        return f"{value}s"  # inf (a wait without end): not "Infinitys"
    shown = round(float(value), 2) or float(value)
    return f"{Decimal(repr(shown)).normalize():f}s"


def cache_root_from_environment() -> Path:
    """``Settings().cache_root`` with ``NEWS_ETL_CACHE_DIR`` read alone: the cache is looked up
    deep in the text code, in every step of a run and in ``marts``, where building the whole
    settings again read every other variable too, and a bad one an option had replaced
    (``run --workers 1`` over ``NEWS_ETL_WORKERS=0``) failed the run (probe, session 40). There
    is no option for the cache folder: a run's is the environment's."""
    value = next(
        (v for k, v in os.environ.items() if k.upper() == "NEWS_ETL_CACHE_DIR" and v.strip()), None
    )
    return Settings.model_construct(cache_dir=local_path(value) if value else None).cache_root


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, then apply the non-``None`` ``overrides``; a value
    an override replaces is not read (a bad ``NEWS_ETL_X`` does not fail ``--x`` given)."""
    changes: dict[str, Any] = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**changes)
