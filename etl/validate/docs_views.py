"""GX's Data Docs page views, with their compiled Jinja templates shared within the process.

Each GX view makes its own Jinja ``Environment``, and a site builds four (the expectation,
validation and profiling sections and the index), so GX compiled the same templates about 50
times per Data Docs build: ~0.12 s of a one-run build's ~0.24 s (2026-12-06, 2 cores). These
views are GX's own (:mod:`etl.validate.docs` names them in the site's configuration) with one
change: their environments share one in-memory Jinja bytecode cache, a Jinja feature made for
reusing a compiled template in another environment. The pages are the same; nothing is written
to disk.

Importing this module imports GX: :mod:`etl.validate.docs` names it in a configuration, and GX
imports it while building the site.
"""

from __future__ import annotations

from types import CodeType
from typing import Any

from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class SharedTemplates(BytecodeCache):
    """Compiled templates kept in memory by Jinja's key (template name and file), each with the
    checksum of the source it was compiled from: a template whose source differs is compiled
    again."""

    def __init__(self) -> None:
        self._compiled: dict[str, tuple[str, CodeType]] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        """Give ``bucket`` the code compiled before from the same source, if any."""
        kept = self._compiled.get(bucket.key)
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep the code Jinja just compiled into ``bucket``."""
        if bucket.code is not None:
            self._compiled[bucket.key] = (bucket.checksum, bucket.code)

    def clear(self) -> None:
        """Forget every compiled template."""
        self._compiled.clear()

    def __len__(self) -> int:
        return len(self._compiled)


#: The one cache of this process's Data Docs views.
TEMPLATES = SharedTemplates()


class PageView(DefaultJinjaPageView):
    """GX's page view (suite and validation result pages), compiling each template once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.env.bytecode_cache = TEMPLATES


class IndexPageView(DefaultJinjaIndexPageView):
    """GX's index page view, compiling each template once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.env.bytecode_cache = TEMPLATES
