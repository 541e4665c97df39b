"""GX Data Docs of one run: Great Expectations' own HTML pages of the run's validation results.

The validate and load steps stage GX's ``ExpectationSuiteValidationResult`` of every suite they
ran (the batch suites once per validated chunk, the ``post_load`` suites once) as JSON
(:meth:`etl.load.staging.RunStaging.write_gx_result`). After the load, :func:`build_data_docs`
puts them, with the suites' definitions, into a fresh ephemeral GX context whose only Data Docs
site is a folder, and lets GX's ``SiteBuilder`` render it: ``index.html`` lists the suites and
the validation results, one page per result shows every expectation with its observed value and,
for failures, the unexpected values.

Data Docs pages load Bootstrap, jQuery and fonts from CDNs, so they render unstyled offline; the
run's self-contained ``quality.html`` (:mod:`etl.quality`) is the page that always works.
Building needs no network. Static files that no page references (GX's 3 MB of how-to GIFs and
fonts) are removed, so a run's Data Docs stay small.

Every value that comes from the data (observed and unexpected values, their counts, exception
messages) is HTML-escaped before GX sees it (:func:`inert`): GX's renderer puts such values into
its pages as markup, so a record's text ``<script>…`` would otherwise run in the reader's
browser. Escaping the values, rather than sanitizing the built pages, keeps GX's own scripts
(the index's result table) working and shows the value exactly as it was, as text.

Importing this module imports GX (seconds): :mod:`etl.pipeline` imports it lazily.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from etl.output import html_text
from etl.validate.suites import SuiteSpec

#: The folder of a run's GX Data Docs, next to its report and quality page
#: (``<reports dir>/<run_id>/data_docs``, built by ``etl.pipeline.write_data_docs``).
DOCS_DIR = "data_docs"

#: The Data Docs site of a run is a folder (GX's filesystem store backend).
SITE_NAME = "run"

#: The sections of GX's default site, each given the page view of :mod:`etl.validate.docs_views`.
_SECTIONS = ("expectations", "validations", "profiling")
_PAGE_VIEW = {"module_name": "etl.validate.docs_views", "class_name": "PageView"}
_INDEX_VIEW = {"module_name": "etl.validate.docs_views", "class_name": "IndexPageView"}


def _context(target: Path) -> Any:
    """A fresh ephemeral GX context with one filesystem Data Docs site at ``target``."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    import etl.validate.expectations  # noqa: F401  (the custom expectations render too)

    context = gx.get_context(mode="ephemeral")
    context.add_data_docs_site(
        SITE_NAME,
        {
            # equivalent: without a class_name GX builds a SiteBuilder anyway (and logs a warning)
            "class_name": "SiteBuilder",  # pragma: no mutate
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(target),
            },
            "site_index_builder": {
                # equivalent: GX's SiteBuilder takes this class when none is named, and the class
                # takes unknown keys (**kwargs)
                "class_name": "DefaultSiteIndexBuilder",  # pragma: no mutate
                "view": _INDEX_VIEW,
            },
            # GX's own views, compiling each template once (etl.validate.docs_views)
            "site_section_builders": {section: {"view": _PAGE_VIEW} for section in _SECTIONS},
        },
    )
    return context


def inert(value: Any) -> Any:
    """``value`` with every string in it (dictionary keys too) HTML-escaped, so that a renderer
    that inserts it as markup shows it as text: ``<script>`` becomes ``&lt;script&gt;``, and
    with its control and invisible characters escaped (:func:`etl.output.html_text`; line
    breaks and tabs kept), so that a U+202E shows as ``\\u202e`` instead of reversing the rest."""
    if isinstance(value, str):
        return html_text(value, keep="\n\t")
    if isinstance(value, dict):
        return {inert(k) if isinstance(k, str) else k: inert(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [inert(v) for v in value]
    return value


def _inert_result(result: dict[str, Any]) -> dict[str, Any]:
    """A staged suite result whose data-derived parts (each expectation's ``result`` and
    ``exception_info``) are :func:`inert`; the suite's own definitions stay as they are."""
    out = dict(result)
    out["results"] = [
        {
            **item,
            "result": inert(item.get("result") or {}),
            "exception_info": inert(item.get("exception_info") or {}),
        }
        for item in result.get("results") or []
    ]
    return out


def _store_results(
    context: Any, results: Iterable[dict[str, Any]], run_id: str, run_time: datetime
) -> set[str]:
    """Put each staged result into the context's validation results store; the suite names."""
    from great_expectations.core.expectation_validation_result import (
        expectationSuiteValidationResultSchema,
    )
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    run = RunIdentifier(run_name=run_id, run_time=run_time)
    suites: set[str] = set()
    for staged in results:
        result = expectationSuiteValidationResultSchema.load(_inert_result(staged["result"]))
        # What the page header shows: the run, and the checked table with the batches it held.
        result.meta["run_id"] = {"run_name": run_id, "run_time": run_time.isoformat()}
        asset = (result.meta.get("active_batch_definition") or {}).get("data_asset_name")
        if asset:
            spec = dict(result.meta.get("batch_spec") or {})
            spec["data_asset_name"] = f"{asset} ({staged['batch_identifier']})"
            result.meta["batch_spec"] = spec
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
            run_id=run,
            batch_identifier=staged["batch_identifier"],
        )
        context.validation_results_store.set(key, result)
        suites.add(result.suite_name)
    return suites


def _prune_static(site: Path) -> None:
    """Delete the site's static files that no page or referenced stylesheet names."""
    static = site / "static"
    if not static.is_dir():
        return
    # Names are looked for in the files' bytes: a UTF-8 name is in UTF-8 bytes where it is in
    # their text, and nothing depends on the locale's encoding (mutation seed 1229).
    pages = b"".join(p.read_bytes() for p in site.rglob("*.html"))
    files = [p for p in static.rglob("*") if p.is_file()]
    styles = [p for p in files if p.suffix == ".css" and _named(p.relative_to(site), pages)]
    texts = pages + b"".join(p.read_bytes() for p in styles)
    for path in files:
        relative = path.relative_to(site)
        if not _named(relative, texts) and not _named(relative.relative_to("static"), texts):
            path.unlink()
    for folder in sorted((p for p in static.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def _named(relative: Path, texts: bytes) -> bool:
    """Whether ``texts`` name the file at ``relative`` (written with ``/``)."""
    return relative.as_posix().encode() in texts


class DataDocsError(RuntimeError):
    """GX could not write (all of) the Data Docs; the message is the first reason, one line."""


@contextmanager
def _gx_errors() -> Iterator[list[str]]:
    """While inside, GX's error log records are collected (first line each), not printed."""
    errors: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            errors.append(record.getMessage().splitlines()[0][:500])

    logger = logging.getLogger("great_expectations")
    handler = Collect(logging.ERROR)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield errors
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def build_data_docs(
    results: Sequence[dict[str, Any]],
    specs: Sequence[SuiteSpec],
    target: Path,
    run_id: str,
    run_time: datetime,
) -> Path:
    """Render GX Data Docs of a run's staged validation ``results`` into ``target`` (replaced
    if it exists) and return its ``index.html``.

    ``results`` are what :meth:`~etl.load.staging.RunStaging.read_gx_results` returns; the suites
    of ``specs`` that were validated get their own pages too.
    """
    import great_expectations as gx

    building = target.with_name(target.name + ".tmp")
    shutil.rmtree(building, ignore_errors=True)
    context = _context(building)
    validated = _store_results(context, results, run_id, run_time)
    for spec in specs:
        if spec.name in validated:
            context.suites.add(gx.ExpectationSuite(name=spec.name, expectations=spec.expectations))
    with _gx_errors() as errors:
        context.build_data_docs(site_names=[SITE_NAME])
    if errors:
        # GX logs a page it could not write (a full disk) with a traceback and goes on.
        shutil.rmtree(building, ignore_errors=True)
        raise DataDocsError(errors[0])
    _prune_static(building)
    shutil.rmtree(target, ignore_errors=True)
    building.replace(target)
    return target / "index.html"
