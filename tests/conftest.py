"""Shared test set-up: isolated environment, corpora location, helpers to build warehouses."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Before anything imports Airflow or reads settings: an Airflow home per xdist worker, no
# examples, and no NEWS_ETL_* leaking in from the developer's shell.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
_AIRFLOW_HOME = Path(tempfile.gettempdir()) / f"news-etl-tests-airflow-{os.getuid()}-{_WORKER}"
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(Path(__file__).resolve().parents[1] / "dags")
# NEWS_ETL_TEST_AIRFLOW_DB (set by .ci/run) may hold "{worker}": one database per xdist worker.
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = os.environ.get(
    "NEWS_ETL_TEST_AIRFLOW_DB", f"sqlite:///{_AIRFLOW_HOME / 'airflow.db'}"
).replace("{worker}", _WORKER)
if "NEWS_ETL_TEST_AIRFLOW_DB" in os.environ:
    from etl.airflow_env import async_url

    os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"] = async_url(
        os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    )
os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "WARNING"
# The cross-process cache (etl.cache) of the test run, shared by its workers, not the user's.
os.environ["XDG_CACHE_HOME"] = str(Path(tempfile.gettempdir()) / f"news-etl-tests-{os.getuid()}")
os.environ["GX_ANALYTICS_ENABLED"] = "false"
_KEEP = ("NEWS_ETL_TEST_", "NEWS_ETL_CORPORA_DIR")
for _key in [k for k in os.environ if k.startswith("NEWS_ETL_") and not k.startswith(_KEEP)]:
    del os.environ[_key]

REPO = Path(__file__).resolve().parents[1]

from tests.unit._corpora import CORPORA, corpora_missing  # noqa: E402  (after the env set-up)


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The shared real corpora (seed, reuters, fundus, bbc). When they are absent the test
    skips on a developer's machine and FAILS in CI (``CI`` set): CI must run every test."""
    if not (CORPORA / "seed").is_dir():
        corpora_missing()
    return CORPORA
