"""A landing zone given as a ``file://`` URL is that local folder (etl.ingest.landing).

The settings turn a ``file://`` landing into a path, but ``list_landing``, ``open_landing_file``
and ``read_raw`` are documented to take the URL themselves ("``file://`` URLs are local
folders"). A survivor of the seed-1204 mutation sample (issue #18): ``local_root__mutmut_4``
stopped recognising the prefix, so ``list_landing("file:///...")`` refused an existing folder;
every test passed the folder as a path.
"""

from __future__ import annotations

from pathlib import Path

from etl.ingest.landing import is_remote, list_landing, local_root, open_landing_file


def test_local_root_of_a_file_url_is_the_unquoted_path() -> None:
    assert local_root("file:///srv/landing%20zone/news") == Path("/srv/landing zone/news")
    assert local_root("/srv/landing zone/news") == Path("/srv/landing zone/news")
    assert not is_remote("file:///srv/landing%20zone/news")


def test_a_file_url_lists_and_opens_the_folder_it_names(tmp_path: Path) -> None:
    root = tmp_path / "landing zone"
    (root / "2024-03-04").mkdir(parents=True)
    (root / "2024-03-04" / "a.txt").write_bytes(b"twelve bytes")
    url = root.as_uri()
    assert url.startswith("file:///") and "%20" in url
    listed = list_landing(url)
    assert [(f.path, f.size) for f in listed] == [("2024-03-04/a.txt", 12)]
    assert listed == list_landing(root)
    with open_landing_file(url, "2024-03-04/a.txt") as handle:
        assert handle.read() == b"twelve bytes"
