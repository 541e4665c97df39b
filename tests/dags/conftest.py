"""Airflow test set-up: a fresh metadata database and the warehouse pool, once per session, and
the DAGs loaded the way Airflow loads them.

The environment (AIRFLOW_HOME per xdist worker, no examples, our DAGs folder) is set in the
top-level conftest before anything imports Airflow.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"


def load_dagbag() -> Any:
    """The DAGs folder parsed as Airflow's DAG processor and task runner parse it: a
    ``BundleDagBag`` that puts the folder on ``sys.path`` (so the DAG files import their shared
    module by name) and honours ``.airflowignore``."""
    from airflow.dag_processing.dagbag import BundleDagBag

    return BundleDagBag(str(DAGS), bundle_path=DAGS, bundle_name="dags-folder")


def load_dag(dag_id: str) -> Any:
    """One DAG of the folder, loaded like Airflow does (:func:`load_dagbag`)."""
    bag = load_dagbag()
    assert bag.import_errors == {}, bag.import_errors
    return bag.dags[dag_id]


@pytest.fixture(scope="session")
def airflow_db() -> Iterator[None]:
    """Reset Airflow's metadata DB and create the single-slot warehouse pool."""
    home = Path(os.environ["AIRFLOW_HOME"])
    if os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("sqlite"):
        shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True, exist_ok=True)
    from airflow.models.pool import Pool
    from airflow.utils import db

    from etl.airflow_env import WAREHOUSE_POOL

    db.resetdb()
    Pool.create_or_update_pool(
        WAREHOUSE_POOL, slots=1, description="news-etl: one writer", include_deferred=False
    )
    yield
