"""Data Docs static pruning (etl.validate.docs._prune_static) removes every folder it empties,
however deep: a folder left holding only folders that pruning emptied goes too.

A survivor of the seed-1204 mutation sample (issue #18): ``_prune_static__mutmut_47`` visited
the folders parents first (``reverse=False``), so a parent was checked while its emptied child
still existed and was left behind, empty.
"""

from __future__ import annotations

from pathlib import Path

from etl.validate.docs import _prune_static


def _site(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


def test_folders_emptied_by_pruning_go_from_the_deepest_up(tmp_path: Path) -> None:
    site = _site(
        tmp_path / "site",
        {
            "index.html": '<img src="static/images/logo.png">',
            "static/images/logo.png": "png",
            # nothing names these: three nested folders hold one unused file at the bottom
            "static/vendor/lib/fonts/unused.woff2": "font",
        },
    )
    _prune_static(site)
    folders = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_dir())
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert files == ["index.html", "static/images/logo.png"]
    assert folders == ["static", "static/images"]


def test_the_static_folder_itself_stays_when_pruning_empties_it(tmp_path: Path) -> None:
    """Only the folders inside ``static`` that pruning empties go: the site's ``static`` folder
    is kept, as the site wrote it. A survivor of the seed-1219 sample, ``_prune_static__mutmut_45``
    (``rglob(None)``, which also yields ``static`` itself), removed it."""
    site = _site(
        tmp_path / "site",
        {"index.html": "<p>no file named</p>", "static/vendor/unused.css": "css"},
    )
    _prune_static(site)
    folders = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_dir())
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert files == ["index.html"]
    assert folders == ["static"]
