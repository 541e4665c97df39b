"""The Data Docs views' shared compiled templates (etl.validate.docs_views): a template compiled
in one Jinja environment serves every other, unless its source differs."""

from __future__ import annotations

from typing import Any

import jinja2

from etl.validate.docs_views import SharedTemplates


def test_a_compiled_template_serves_another_environment_unless_its_source_differs() -> None:
    cache = SharedTemplates()
    compiled: list[str] = []

    class Counting(jinja2.Environment):
        def compile(self, source: Any, name: str | None = None, *args: Any, **kw: Any) -> Any:
            compiled.append(f"{name}: {source}")
            return super().compile(source, name, *args, **kw)

    def page(source: str) -> jinja2.Template:
        environment = Counting(loader=jinja2.DictLoader({"page": source}), bytecode_cache=cache)
        return environment.get_template("page")

    assert page("A {{ x }}").render(x=1) == "A 1"
    assert page("A {{ x }}").render(x=2) == "A 2"  # another environment, the same source
    assert compiled == ["page: A {{ x }}"]
    assert page("B {{ x }}").render(x=3) == "B 3"  # the same name, another source
    assert compiled == ["page: A {{ x }}", "page: B {{ x }}"]
    assert len(cache) == 1
    cache.clear()
    assert page("B {{ x }}").render(x=4) == "B 4"
    assert len(compiled) == 3
