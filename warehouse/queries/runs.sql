-- Question: what did the last runs do?
SELECT run_id, trigger, partition_date, status, files_seen, files_new, articles_loaded,
       duplicates, quarantined, ended_at - started_at AS took, error
FROM etl_run
ORDER BY started_at DESC
LIMIT 20;
