"""The run-level rules: a pure function from a run's account and limits to check rows and a
refusal.

Each rule is written once and gives both the decision (refuse the whole run, load nothing) and
its ``fact_check_result`` row (suite ``run``, batch -1), so the stored check can never disagree
with the decision. Rules apply only to runs with at least ``quarantine_check_min_files`` new
files: below that a share means nothing. A rebuild's files quarantined again as before (content
the ledger records as quarantined, a refusal as remembered: ``files_requarantined``) are not new
to the rules, on either side of the share: a rebuild reads its day's bad files again, and a day
with more bad files than good could never be rebuilt.

* ``max_quarantine_share``: quarantined files / new files must not exceed the limit (records
  quarantined inside files that loaded do not count: the file gave articles);
* ``articles_on_a_day_with_files``: at least one article (new or duplicate) from the new files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etl.contracts import reason_counts
from etl.load.account import RunAccount

#: The suite and batch under which run-level and post-load results are stored.
RUN_SUITE = "run"
RUN_BATCH = -1


@dataclass(frozen=True)
class RunLimits:
    """The limits the run-level rules apply (from the run's settings)."""

    max_quarantine_share: float
    quarantine_check_min_files: int


@dataclass(frozen=True)
class Verdict:
    """The rules' check rows, and why the run is refused (``None``: it may load)."""

    checks: list[dict[str, Any]]
    refusal: str | None
    #: what an operator can do about the refusal (``None``: not refused)
    hint: str | None = None


def counted_files(account: RunAccount) -> tuple[int, int]:
    """The new files and the quarantined files the rules count: ``files_new`` and
    ``files_quarantined`` less the files quarantined again as before."""
    again = account.files_requarantined
    return account.files_new - again, account.files_quarantined - again


def quarantine_share(account: RunAccount) -> float:
    """Quarantined files per new file the rules count (0 without any): the one formula of the
    rule."""
    new, quarantined = counted_files(account)
    return quarantined / new if new else 0.0


def percents_apart(value: float, limit: float) -> tuple[str, str]:
    """``value`` and ``limit`` as percentages with the fewest decimals (0 to 6) that write them
    differently: a share over its limit must not read as equal to it (2 of 3 files over a limit
    of 0.666 read "67% ... over the limit of 67%")."""
    for places in range(7):
        shown = f"{value:.{places}%}", f"{limit:.{places}%}"
        if shown[0] != shown[1]:
            return shown
    return shown


def judge(run_id: str, account: RunAccount, limits: RunLimits) -> Verdict:
    """Apply the run-level rules to ``account`` (see the module docstring)."""
    new, quarantined = counted_files(account)
    applies = new >= limits.quarantine_check_min_files
    share = quarantine_share(account)
    articles = account.articles_loaded + account.duplicates
    reasons = reason_counts(account.quarantine_reasons)
    no_articles = applies and articles == 0
    too_many = applies and share > limits.max_quarantine_share
    refusal = None
    if no_articles:
        refusal = (
            f"run {run_id}: none of the {new} new files produced an article "
            f"(quarantine reasons: {reasons}); nothing was loaded"
        )
    elif too_many:
        shown, limit = percents_apart(share, limits.max_quarantine_share)
        refusal = (
            f"run {run_id}: {quarantined} of {new} new files "
            f"({shown}) were quarantined, over the limit of {limit} (reasons: {reasons}); "
            "nothing was loaded"
        )
    base = {
        "batch": RUN_BATCH,
        "suite": RUN_SUITE,
        "column_name": None,
        "element_count": new,
    }
    again = account.files_requarantined
    not_counted = (
        f"; {again} file{'s' if again != 1 else ''} quarantined as before "
        f"{'are' if again != 1 else 'is'} not counted (a rebuild reads its day's quarantined "
        "files again, a replay those it forgot)"
        if again
        else ""
    )
    checks = [
        {
            **base,
            "expectation": "max_quarantine_share",
            "success": not too_many,
            "unexpected_count": quarantined,
            "observed_value": f"{share:.4f}",
            "expected": (
                f"share <= {limits.max_quarantine_share} ($max_quarantine_share), from "
                f"{limits.quarantine_check_min_files} new files ($quarantine_check_min_files)"
            ),
            "detail": (
                f"limit {limits.max_quarantine_share}, applied from "
                f"{limits.quarantine_check_min_files} new files; reasons {reasons}{not_counted}"
                if applies
                else f"not applied: {new} new files, under the "
                f"{limits.quarantine_check_min_files} it applies from "
                f"(NEWS_ETL_QUARANTINE_CHECK_MIN_FILES); limit {limits.max_quarantine_share}; "
                f"reasons {reasons}{not_counted}"
            ),
        },
        {
            **base,
            "expectation": "articles_on_a_day_with_files",
            "success": not no_articles,
            "unexpected_count": None,
            "observed_value": str(articles),
            "expected": (
                f"articles >= 1, from {limits.quarantine_check_min_files} new files "
                "($quarantine_check_min_files)"
            ),
            "detail": refusal if no_articles else None,
        },
    ]
    hint = None
    if no_articles:
        hint = refusal_hint(run_id, f"NEWS_ETL_QUARANTINE_CHECK_MIN_FILES above {new}")
    elif too_many:
        hint = refusal_hint(run_id, "NEWS_ETL_MAX_QUARANTINE_SHARE raised")
    return Verdict(checks, refusal, hint)


def refusal_hint(run_id: str, setting: str) -> str:
    """What to do about a run refused by a run-level rule: its files stay new until a run
    succeeds (a refused run remembers none of them), so the refusal repeats on every run until
    the files change or one run is made with ``setting``."""
    return (
        f"what to do: fix or remove the quarantined files (news-etl quarantine list --run "
        f"{run_id}); or, if they are to stay as they are, make one run with {setting}: it loads "
        "the good files, and the quarantined ones are remembered and not counted as new again "
        "(in Airflow: trigger a news_backfill run of the day, mode all, with that limit in its "
        "params, max_quarantine_share or quarantine_check_min_files: a news_daily run of that "
        "date exists already, so a second one is refused; once the files are fixed, clear the "
        "failed run from its plan task: cleared from load it loads the files it staged before, "
        "with its settings)"
    )


def post_load_refusal(run_id: str, results: list[dict[str, Any]]) -> str | None:
    """Why the post-load warehouse checks refuse the run (``None``: every result passed)."""
    failed = [r for r in results if not r["success"]]
    if not failed:
        return None
    names = ", ".join(
        f"{r['suite']}.{r['expectation']}({r['column_name'] or ''})"
        f" unexpected={r['unexpected_count']}"
        for r in failed
    )
    return f"run {run_id}: post-load warehouse checks failed: {names}; nothing was loaded"
