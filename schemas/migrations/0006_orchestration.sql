-- Orchestration (issue 7): a mart refreshed by the news_marts DAG whenever a load publishes new
-- data (Airflow Assets), and the "rebuild" run mode used by backfills.
-- Renumbered at merge if another migration lands first; never hard-code its number.

CREATE TABLE mart_daily_source (
    published_date DATE        NOT NULL,  -- joins dim_date.date_key
    source_id      BIGINT      NOT NULL,  -- joins dim_source
    source_name    VARCHAR     NOT NULL,
    articles       INTEGER     NOT NULL,  -- articles published that day by that source
    tokens         BIGINT      NOT NULL,  -- their tokens
    distinct_terms BIGINT      NOT NULL,  -- distinct terms over those articles
    refreshed_at   TIMESTAMPTZ NOT NULL   -- when news_marts (or `news-etl marts`) last rebuilt it
);
COMMENT ON TABLE mart_daily_source IS 'Articles, tokens and vocabulary per day and source, rebuilt after every published load. Grain: one row per published_date and source. Key: (published_date, source_id).';

COMMENT ON COLUMN etl_run.mode IS 'merge | replace | rebuild (backfill: the run''s files are re-read and the articles they produced before are replaced)';

COMMENT ON COLUMN mart_daily_source.published_date IS 'the day (joins dim_date.date_key)';
COMMENT ON COLUMN mart_daily_source.source_id IS 'joins dim_source';
COMMENT ON COLUMN mart_daily_source.source_name IS 'publisher or feed';
COMMENT ON COLUMN mart_daily_source.articles IS 'articles published that day by that source';
COMMENT ON COLUMN mart_daily_source.tokens IS 'their tokens';
COMMENT ON COLUMN mart_daily_source.distinct_terms IS 'distinct terms over those articles';
COMMENT ON COLUMN mart_daily_source.refreshed_at IS 'when news_marts (or news-etl marts) last rebuilt it';
