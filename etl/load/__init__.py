"""Load stage: schema migrations, run-scoped Parquet staging and the partition loader.

* :mod:`~etl.load.loader`: ``load_staged``, the one transaction of a run, composed of
* :mod:`~etl.load.account` (settle: staged rows + ledger → ``RunAccount``),
* :mod:`~etl.load.rules` (run-level rules: account + limits → check rows + refusal, pure),
* :mod:`~etl.load.modes` (``Merge`` / ``Replace`` / ``Rebuild``: scope, "is new", removal),
* :mod:`~etl.load.write` (dimensions, facts, stories, daily sums, ledger; no mode branches),
* :mod:`~etl.load.record` (the one writer of the run record, also for failed runs);
* :mod:`~etl.load.faults` (fault-injection points for tests), :mod:`~etl.load.staging`,
  :mod:`~etl.load.migrations`, :mod:`~etl.load.keys`, :mod:`~etl.load.daily_terms`,
  :mod:`~etl.load.stories`, :mod:`~etl.load.replay`, :mod:`~etl.load.standing` (what stands of
  the quarantine: summary, replay and quarantine list --standing).
"""
