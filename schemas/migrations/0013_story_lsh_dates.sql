-- Story time window (issue 12): an article matches only candidates published within
-- story_window_days of it, so the LSH index carries each member's date and a run probes only
-- the rows of its own dates (DuckDB's zone maps skip the row groups of other dates: story_lsh is
-- appended run by run in date order). Like every migration, it is never edited or renumbered
-- once applied; it applies to both backends.
ALTER TABLE story_lsh ADD COLUMN published_date DATE;
-- Existing rows take their member's date (story_member keeps it for every assigned article).
UPDATE story_lsh SET published_date = m.published_date
FROM story_member m WHERE m.article_id = story_lsh.article_id;
COMMENT ON COLUMN story_lsh.published_date IS 'the member''s published date (story_member.published_date): a run probes only rows within story_window_days of its own dates';
COMMENT ON TABLE story_lsh IS 'LSH index of story members: articles sharing a (band, bucket) and published within story_window_days of each other are near-duplicate candidates. Grain: one row per article and band. Key: (article_id, band).';
