"""Airflow test set-up: a fresh metadata database and the warehouse pool, once per session.

The environment (AIRFLOW_HOME per xdist worker, no examples, our DAGs folder) is set in the
top-level conftest before anything imports Airflow.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def airflow_db() -> Iterator[None]:
    """Reset Airflow's metadata DB and create the single-slot warehouse pool."""
    home = Path(os.environ["AIRFLOW_HOME"])
    if os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("sqlite"):
        shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True, exist_ok=True)
    from airflow.models.pool import Pool
    from airflow.utils import db

    db.resetdb()
    Pool.create_or_update_pool(
        "news_etl_warehouse", slots=1, description="news-etl: one writer", include_deferred=False
    )
    yield
