"""Marts: small derived tables rebuilt from the star schema after each published load.

The ``news_marts`` DAG runs when a load publishes new data (Airflow Assets) and calls
:func:`refresh_marts`; ``news-etl marts`` does the same by hand. A refresh rewrites every mart in
one transaction under the writer lock, so readers see the old or the new version, never a mix.
The same transaction finds each source's boilerplate lines again (:mod:`etl.load.boilerplate`),
which the rankings leave out.
"""

from __future__ import annotations

from etl.errors import ConfigError
from etl.load.boilerplate import refresh_boilerplate
from etl.settings import Settings
from etl.warehouse import transaction, warehouse_exists, writer

_REFRESH = """
INSERT INTO mart_daily_source
SELECT a.published_date, a.source_id, s.source_name, count(*)::INTEGER, sum(a.n_tokens),
       (SELECT count(DISTINCT t.term_id) FROM fact_article_term t JOIN fact_article b
          USING (article_id)
        WHERE b.published_date = a.published_date AND b.source_id = a.source_id),
       current_timestamp
FROM fact_article a JOIN dim_source s USING (source_id)
GROUP BY a.published_date, a.source_id, s.source_name
"""


def refresh_marts(settings: Settings) -> dict[str, int]:
    """Rebuild every mart (and the boilerplate flags) from the star schema in one transaction;
    return rows per table. Raises :class:`ConfigError` when there is no warehouse: a mistyped
    path would otherwise become a new, empty warehouse (a lake: its catalog and data files)."""
    if not warehouse_exists(settings.target, settings.lock_timeout_s):
        raise ConfigError(f"no warehouse at {settings.target.display}")
    with writer(settings) as con:
        with transaction(con):
            con.execute("DELETE FROM mart_daily_source")
            con.execute(_REFRESH)
            lines, flagged = refresh_boilerplate(con)
        row = con.execute("SELECT count(*) FROM mart_daily_source").fetchone()
    return {
        "mart_daily_source": int(row[0]) if row else 0,
        "boilerplate_line": lines,
        "boilerplate_term": flagged,
    }
