-- Question: what was rejected, why, and by which runs? A record (of one content of a file)
-- refused by several runs (a replay, a retried day) counts once in `records`; `refusals`
-- counts every run's refusal.
SELECT q.reason, q.stage, count(DISTINCT (q.landing, q.path, q.sha256, q.record)) AS records,
       count(*) AS refusals, count(DISTINCT q.path) AS files,
       min(r.started_at) AS first_run, max(r.started_at) AS last_run,
       any_value(q.detail) AS example_detail
FROM quarantine q
JOIN etl_run r USING (run_id)
GROUP BY ALL
ORDER BY records DESC, q.reason;
