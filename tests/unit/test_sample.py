"""The synthetic landing zone: deterministic, in the canonical layout, with the messy cases."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from etl.errors import ConfigError
from etl.sample import MARKER, SOURCES, SampleManifest, generate_bulk, generate_sample

_NAME = re.compile(r"^(\d{3,})_([0-9a-f]{16})\.txt$")
_HEADER = re.compile(rb"^ date (\d{4}-\d{2}-\d{2}) \S")


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleManifest:
    return generate_sample(tmp_path_factory.mktemp("sample") / "landing")


def test_same_arguments_give_identical_bytes(tmp_path: Path) -> None:
    first = generate_sample(tmp_path / "a")
    second = generate_sample(tmp_path / "b")
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert [f.path for f in first.files] == [f.path for f in second.files]
    other = generate_sample(tmp_path / "c", seed=8)
    assert _tree(tmp_path / "c") != _tree(tmp_path / "a")
    assert other.n_files == first.n_files


def test_regenerating_in_place_gives_identical_bytes(tmp_path: Path) -> None:
    target = tmp_path / "landing"
    generate_sample(target)
    before = _tree(target)
    (target / "dt=2024-03-04" / "stray.txt").write_text("left over", encoding="utf-8")
    generate_sample(target)
    assert _tree(target) == before


def test_layout_and_names(sample: SampleManifest) -> None:
    root = sample.root
    assert sample.dates == [date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6)]
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert on_disk == {f.path for f in sample.files} | {MARKER}
    for f in sample.files:
        folder, source, name = f.path.split("/")
        assert folder == f"dt={f.folder_date.isoformat()}"
        assert f.folder_date in sample.dates
        assert source == f.source
        assert source in SOURCES
        data = (root / f.path).read_bytes()
        assert len(data) == f.size
        assert hashlib.sha256(data).hexdigest() == f.sha256
        if f.kind == "empty":
            assert name == "empty_0000000000000000.txt"
            continue
        match = _NAME.match(name)
        assert match, name
        assert match[2] == f.sha256[:16]


def test_canonical_text(sample: SampleManifest) -> None:
    for f in sample.files:
        if f.kind not in ("article", "duplicate"):
            continue
        data = (sample.root / f.path).read_bytes()
        match = _HEADER.match(data)
        assert match, f.path
        assert date.fromisoformat(match[1].decode()) == f.date
        text = data.decode("utf-8")
        assert text.endswith("\n")
        # paragraphs are separated by one or three blank lines, never by a single newline
        assert {len(run) for run in re.findall(r"\n+", text.rstrip("\n"))} <= {2, 4}
        paragraphs = re.split(r"\n\n+", text.strip())
        assert 3 <= len(paragraphs) <= 8


def test_text_has_the_variety_the_pipeline_must_handle(sample: SampleManifest) -> None:
    texts = [
        (sample.root / f.path).read_bytes().decode("cp1252" if f.kind == "cp1252" else "utf-8")
        for f in sample.files
        if f.kind != "empty"
    ]
    joined = "\n".join(texts)
    for needle in ("“", "”", "’", "...", "U.S.", "Mr.", "Gen.", "state-owned", "Kestrel-9"):
        assert needle in joined, needle
    assert re.search(r"\$\d+(?:\.\d+)?(?:bn|m)\b", joined)
    assert re.search(r"\b\d+\.\d%", joined)
    assert re.search(r"\b\d{1,3},\d{3}\b", joined)
    assert any("\n\n\n\n" in t for t in texts)  # three blank lines
    assert any(re.search(r"[^\n]\n\n[^\n]", t) for t in texts)  # one blank line
    assert any('"' in t for t in texts)  # some feeds use plain quotes


def test_messy_cases(sample: SampleManifest) -> None:
    by_kind: dict[str, list[Path]] = {}
    for f in sample.files:
        by_kind.setdefault(f.kind, []).append(sample.root / f.path)
    first = sample.dates[0]
    assert {k: len(v) for k, v in by_kind.items() if k != "article"} == {
        "undated": 1,
        "cp1252": 1,
        "empty": 1,
        "duplicate": 1,
    }
    assert all(f.folder_date == first for f in sample.files if f.kind != "article")

    undated = by_kind["undated"][0].read_bytes().decode("utf-8")
    assert not undated.lstrip().lower().startswith("date")

    cp1252 = by_kind["cp1252"][0].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        cp1252.decode("utf-8")
    decoded = cp1252.decode("cp1252")
    assert "£" in decoded
    assert "é" in decoded
    assert decoded.startswith(f" date {first.isoformat()} ")

    assert by_kind["empty"][0].stat().st_size == 0

    duplicate = next(f for f in sample.files if f.kind == "duplicate")
    originals = [f for f in sample.files if f.kind == "article" and f.sha256 == duplicate.sha256]
    assert len(originals) == 1
    assert (sample.root / originals[0].path).read_bytes() == by_kind["duplicate"][0].read_bytes()
    assert originals[0].path < duplicate.path  # the copy is the one the pipeline sees second

    late = [f for f in sample.files if f.date != f.folder_date]
    assert len(late) == 1
    assert late[0].kind == "article"
    assert late[0].folder_date == sample.dates[1]
    assert late[0].date == sample.dates[1] - timedelta(days=1)


def test_manifest_counts_add_up(sample: SampleManifest) -> None:
    assert sample.n_files == len(sample.files) == 3 * 12 + 2
    assert sample.expected_duplicates == 1
    assert sample.expected_quarantined == 1
    assert sample.expected_articles == 3 * 12
    assert (
        sample.expected_articles + sample.expected_duplicates + sample.expected_quarantined
        == sample.n_files
    )
    distinct = {f.sha256 for f in sample.files if f.kind != "empty"}
    assert len(distinct) == sample.expected_articles
    assert sum(sample.articles_by_date().values()) == sample.expected_articles
    assert sample.articles_by_date()[date(2024, 3, 4)] == 13  # its own 12 plus the late one
    assert [f.path for f in sample.files] == sorted(f.path for f in sample.files)


def test_arguments(tmp_path: Path) -> None:
    manifest = generate_sample(
        tmp_path / "z", days=1, start=date(2025, 1, 31), articles_per_day=5, seed=1
    )
    assert manifest.dates == [date(2025, 1, 31)]
    assert manifest.expected_articles == 5
    assert manifest.n_files == 7
    with pytest.raises(ConfigError):
        generate_sample(tmp_path / "y", articles_per_day=2)
    with pytest.raises(ConfigError):
        generate_sample(tmp_path / "x", days=0)


def test_refuses_to_wipe_a_folder_it_did_not_write(tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ConfigError, match="refusing"):
        generate_sample(precious)
    with pytest.raises(ConfigError, match="refusing"):
        generate_bulk(precious, 10, start=date(2024, 1, 1), days=2)
    assert [p.name for p in precious.iterdir()] == ["notes.txt"]
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError):
        generate_sample(a_file)
    assert a_file.read_text(encoding="utf-8") == "x"


def test_writes_into_a_new_or_empty_folder(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    generate_sample(empty, days=1)
    assert (empty / MARKER).is_file()
    generate_sample(tmp_path / "new" / "nested", days=1)
    assert (tmp_path / "new" / "nested" / MARKER).is_file()


def test_bulk(tmp_path: Path) -> None:
    manifest = generate_bulk(tmp_path / "a", 100, start=date(2024, 2, 27), days=7)
    generate_bulk(tmp_path / "b", 100, start=date(2024, 2, 27), days=7)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert manifest.n_files == manifest.expected_articles == 100
    assert manifest.expected_duplicates == manifest.expected_quarantined == 0
    assert manifest.dates == [date(2024, 2, 27) + timedelta(days=i) for i in range(7)]
    assert {f.kind for f in manifest.files} == {"article"}
    assert len({f.sha256 for f in manifest.files}) == 100
    per_day = manifest.articles_by_date()
    assert sorted(per_day.values()) == [14] * 5 + [15] * 2
    for f in manifest.files:
        data = (tmp_path / "a" / f.path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f.sha256
        folder, source, name = f.path.split("/")
        assert folder == f"dt={f.date.isoformat()}"
        assert source in SOURCES
        match = _NAME.match(name)
        assert match
        assert match[2] == f.sha256[:16]
        assert data.startswith(f" date {f.date.isoformat()} ".encode())
        data.decode("utf-8")
