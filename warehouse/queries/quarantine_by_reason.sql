-- Question: what was rejected, why, and by which run?
SELECT q.reason, q.stage, count(*) AS records, count(DISTINCT q.path) AS files,
       min(r.started_at) AS first_run, max(r.started_at) AS last_run,
       any_value(q.detail) AS example_detail
FROM quarantine q
JOIN etl_run r USING (run_id)
GROUP BY ALL
ORDER BY records DESC, q.reason;
