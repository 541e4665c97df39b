"""Listing a landing zone: folder dates, source names, hidden files, symlinks, odd names."""

from __future__ import annotations

import errno
import itertools
import os
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from etl.errors import LandingZoneError
from etl.ingest.landing import (
    LandingFile,
    folder_date,
    folder_date_sql,
    list_landing,
    source_name,
    special_kind,
)

from ._listing import unlistable


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("2021-04-07/x.txt", date(2021, 4, 7)),
        ("dt=2021-04-07/src/x.txt", date(2021, 4, 7)),
        ("wire/2021-04-07/x.txt", date(2021, 4, 7)),
        ("2021-04-06/dt=2021-04-07/x.txt", date(2021, 4, 7)),  # the innermost date folder wins
        ("2020-02-29/x.txt", date(2020, 2, 29)),
        ("2021-02-30/x.txt", None),  # not a calendar date
        ("2021-13-01/x.txt", None),
        ("2021-04-07.txt", None),  # the file name is not a folder
        ("x.txt", None),
        ("2021-4-7/x.txt", None),
        ("dt=2021-04-07x/x.txt", None),
        ("date=2021-04-07/x.txt", None),
        ("2021-04-07\n/x.txt", None),  # a trailing newline is not part of a date
        ("２０２１-04-07/x.txt", None),  # non-ASCII digits
    ],
)
def test_folder_date(path: str, expected: date | None) -> None:
    assert folder_date(path) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("2021-04-07/wire/x.txt", "wire"),
        ("dt=2021-04-07/reuters/x.txt", "reuters"),
        ("bbc/sport/199.txt", "bbc"),
        ("2021-04-07/x.txt", "landing"),
        ("x.txt", "landing"),
    ],
)
def test_source_name(path: str, expected: str) -> None:
    assert source_name(path, Path("/data/landing")) == expected


def test_source_name_of_the_filesystem_root() -> None:
    assert source_name("x.txt", Path("/")) == "/"


def _write(root: Path, relative: str, data: bytes = b"x") -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_list_landing_sorted_with_dates_and_sizes(tmp_path: Path) -> None:
    _write(tmp_path, "wire/b.txt", b"bb")
    _write(tmp_path, "2021-04-07/wire/z.txt", b"zzz")
    _write(tmp_path, "a.txt", b"")
    _write(tmp_path, "dt=2021-04-08/feed/sub/c.txt", b"c")
    found = list_landing(tmp_path)
    assert [(f.path, f.size, f.path_date, f.outside) for f in found] == [
        ("2021-04-07/wire/z.txt", 3, date(2021, 4, 7), False),
        ("a.txt", 0, None, False),
        ("dt=2021-04-08/feed/sub/c.txt", 1, date(2021, 4, 8), False),
        ("wire/b.txt", 2, None, False),
    ]
    stat = (tmp_path / "wire/b.txt").stat()
    assert found[-1].mtime_ns == stat.st_mtime_ns


def test_list_landing_skips_hidden_files_and_folders(tmp_path: Path) -> None:
    _write(tmp_path, "wire/.part.txt")
    _write(tmp_path, ".staging/a.txt")
    _write(tmp_path, "wire/.git/objects/b.txt")
    _write(tmp_path, ".DS_Store")
    _write(tmp_path, "wire/kept.txt")
    assert [f.path for f in list_landing(tmp_path)] == ["wire/kept.txt"]


def test_list_landing_goes_on_after_a_hidden_file(tmp_path: Path) -> None:
    # A survivor of mutation seed 1220: the listing stopped at the first hidden file of a
    # folder (`break` for `continue`), losing the files listed after it. Hidden files are
    # written first, in the middle and last, so whatever order the folder lists them in, a
    # hidden one comes before a visible one.
    visible = []
    for index in range(40):
        if index in (0, 20, 39):
            _write(tmp_path, f"wire/.part-{index:02d}.txt")
        visible.append(f"wire/story-{index:02d}.txt")
        _write(tmp_path, visible[-1])
    assert [f.path for f in list_landing(tmp_path)] == visible


def test_list_landing_odd_names(tmp_path: Path) -> None:
    names = ["with space.txt", "café ü.txt", "नमस्ते.txt", "new\nline.txt", "tab\there.txt"]
    for name in names:
        _write(tmp_path, f"2021-04-07/{name}", name.encode())
    found = list_landing(tmp_path)
    assert [f.path for f in found] == sorted(f"2021-04-07/{n}" for n in names)
    for f in found:
        assert f.size == len(f.path.split("/", 1)[1].encode())
        assert f.path_date == date(2021, 4, 7)
        assert (tmp_path / f.path).read_bytes() == f.path.split("/", 1)[1].encode()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_list_landing_symlinks(tmp_path: Path) -> None:
    root = tmp_path / "landing"
    target = _write(root, "wire/real.txt", b"real text")
    outside_file = _write(tmp_path, "elsewhere/secret.txt", b"secret")
    (root / "wire/inside.txt").symlink_to(target)
    (root / "wire/passwd.txt").symlink_to("/etc/passwd")
    (root / "wire/escape.txt").symlink_to(outside_file)
    (root / "wire/dangling.txt").symlink_to(root / "missing.txt")
    (root / "linked-dir").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (root / "wire/loop-a.txt").symlink_to("loop-b.txt")
    (root / "wire/loop-b.txt").symlink_to("loop-a.txt")
    (root / "alias").symlink_to(root / "wire", target_is_directory=True)
    (root / ".hidden-link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    found = {f.path: f for f in list_landing(root)}
    assert sorted(found) == [
        "linked-dir",
        "wire/dangling.txt",
        "wire/escape.txt",
        "wire/inside.txt",
        "wire/loop-a.txt",
        "wire/loop-b.txt",
        "wire/passwd.txt",
        "wire/real.txt",
    ]
    # a symlink to nothing or into a loop is listed (ingest then refuses it as unreadable),
    # described by lstat, neither outside nor special
    for broken in ("wire/dangling.txt", "wire/loop-a.txt", "wire/loop-b.txt"):
        link = root / broken
        assert (found[broken].size, found[broken].outside, found[broken].special) == (
            link.lstat().st_size,
            False,
            None,
        )
    assert found["wire/passwd.txt"].outside is True
    assert found["wire/escape.txt"].outside is True
    # a symlink listed as outside is described by lstat: nothing is read from its target
    assert found["wire/escape.txt"].size == (root / "wire/escape.txt").lstat().st_size
    assert found["wire/inside.txt"].outside is False
    assert found["wire/inside.txt"].size == len(b"real text")
    assert found["wire/real.txt"].outside is False
    # a folder linked from outside the zone is listed once, as what it is, never entered (ingest
    # quarantines it); one linked inside ("alias") is another name for files listed as they are
    link = root / "linked-dir"
    assert (found["linked-dir"].outside, found["linked-dir"].special) == (True, "folder")
    assert found["linked-dir"].size == link.lstat().st_size


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_list_landing_dates_a_symlinked_dated_folder_by_its_name(tmp_path: Path) -> None:
    root = tmp_path / "landing"
    _write(tmp_path, "mnt/x/a.txt")
    (root / "wire").mkdir(parents=True)
    (root / "wire" / "dt=2024-05-07").symlink_to(tmp_path / "mnt" / "x", target_is_directory=True)
    found = list_landing(root)
    assert [(f.path, f.path_date, f.outside) for f in found] == [
        ("wire/dt=2024-05-07", date(2024, 5, 7), True)
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_list_landing_names_a_fifo_without_opening_it(tmp_path: Path) -> None:
    # A FIFO is listed with what it is (so ingest quarantines it unopened: opening one blocks);
    # a regular file and a symlink out of the zone are not "special".
    _write(tmp_path, "wire/a.txt", b"text")
    os.mkfifo(tmp_path / "wire" / "pipe.txt")
    (tmp_path / "wire" / "out.txt").symlink_to("/etc/passwd")
    found = {f.path: (f.special, f.outside) for f in list_landing(tmp_path)}
    assert found == {
        "wire/a.txt": (None, False),
        "wire/out.txt": (None, True),
        "wire/pipe.txt": ("FIFO (named pipe)", False),
    }


def test_list_landing_through_a_symlinked_root(tmp_path: Path) -> None:
    real = tmp_path / "real"
    _write(real, "a.txt")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    (real / "b.txt").symlink_to(real / "a.txt")
    assert [(f.path, f.outside) for f in list_landing(link)] == [
        ("a.txt", False),
        ("b.txt", False),
    ]


def test_list_landing_empty_and_missing(tmp_path: Path) -> None:
    assert list_landing(tmp_path) == []
    with pytest.raises(LandingZoneError):
        list_landing(tmp_path / "missing")
    _write(tmp_path, "file.txt")
    with pytest.raises(LandingZoneError):
        list_landing(tmp_path / "file.txt")


def test_landing_file_defaults() -> None:
    assert LandingFile("a.txt", 1, 2, None).outside is False


def test_a_remote_landing_zone_lists_the_same_rows_with_sizes() -> None:
    # memory:// goes through fsspec (etl.ingest.landing._list_remote): the size of each file is
    # the object's byte count (it decides `too_large` before any byte is read), hidden files and
    # folders are skipped, folder entries are not files. Expected values are the literal bytes.
    import uuid

    import fsspec

    fs = fsspec.filesystem("memory")
    root = f"/landing-{uuid.uuid4().hex}"
    for relative, data in [
        ("wire/b.txt", b"bb"),
        ("2021-04-07/wire/z.txt", b"zzz"),
        ("a.txt", b""),
        ("dt=2021-04-08/feed/sub/c.txt", b"c" * 1234),
        ("wire/.part.txt", b"hidden"),
        (".staging/x.txt", b"hidden"),
    ]:
        fs.pipe(f"{root}/{relative}", data)
    try:
        found = list_landing(f"memory://{root}")
    finally:
        fs.rm(root, recursive=True)
    assert [(f.path, f.size, f.path_date, f.outside, f.special) for f in found] == [
        ("2021-04-07/wire/z.txt", 3, date(2021, 4, 7), False, None),
        ("a.txt", 0, None, False, None),
        ("dt=2021-04-08/feed/sub/c.txt", 1234, date(2021, 4, 8), False, None),
        ("wire/b.txt", 2, None, False, None),
    ]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (0o100644, None),  # S_IFREG: a regular file
        (0o010644, "FIFO (named pipe)"),  # S_IFIFO
        (0o140755, "socket"),  # S_IFSOCK
        (0o020620, "character device"),  # S_IFCHR
        (0o060660, "block device"),  # S_IFBLK
        (0o040755, "folder"),  # S_IFDIR
        (0o120777, "special file"),  # S_IFLNK: none of the above
    ],
)
def test_special_kind_names_what_a_file_is(mode: int, expected: str | None) -> None:
    # The name is the quarantine detail a user reads ("a FIFO (named pipe), not a regular
    # file"); the modes are the st_mode type bits of <sys/stat.h>, as literals.
    assert special_kind(mode) == expected


def test_folder_date_in_sql_agrees_with_python_on_every_path_shape() -> None:
    parts = ["2024-03-05", "dt=2024-03-04", "2024-02-30", "0000-01-01", "x", "dt=x"]
    parts += ["2024-03-05x", "a2024-03-05", "2024-13-01", "9999-12-31", "dt=dt=2024-03-04"]
    paths = ["/".join(p) + "/f.txt" for n in range(4) for p in itertools.product(parts, repeat=n)]
    paths += ["2024-03-05", "2024-03-05/", "a/2024-03-05", "2024-03-05/a/b/c.jsonl"]
    con = duckdb.connect()
    con.register("paths", pa.table({"path": paths}))
    rows = con.execute(f"SELECT path, {folder_date_sql('path')} FROM paths").fetchall()
    assert [(p, d) for p, d in rows if d != folder_date(p)] == []
    assert dict(rows)["x/2024-03-05/dt=2024-03-04/f.txt"] == date(2024, 3, 4)  # the innermost


@pytest.mark.skipif(os.name != "posix", reason="file names are bytes on POSIX only")
def test_list_landing_marks_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    _write(tmp_path, "2024-05-06/a.txt", b"text")
    folder = os.fsencode(tmp_path / "2024-05-06")
    with open(folder + b"/caf\xe9.txt", "wb") as handle:  # Latin-1 'café.txt'
        handle.write(b"12345")
    found = {f.path: (f.size, f.bad_name, f.path_date) for f in list_landing(tmp_path)}
    assert found == {
        "2024-05-06/a.txt": (4, False, date(2024, 5, 6)),
        "2024-05-06/caf\\xe9.txt": (5, True, None),
    }


@pytest.mark.skipif(os.name != "posix", reason="file names are bytes on POSIX only")
def test_list_landing_shows_a_linked_outside_folder_whose_name_is_not_utf8(
    tmp_path: Path,
) -> None:
    # A folder linked in from outside the zone under a Latin-1 name is listed as every name
    # that is not UTF-8 is (each such byte written \xNN), refused as outside and marked
    # bad_name, its files never read (mutation survivor, seed 1222: no test listed one).
    root = tmp_path / "landing"
    _write(root, "2024-05-06/a.txt", b"text")
    _write(tmp_path, "elsewhere/b.txt", b"never read")
    os.symlink(os.fsencode(tmp_path / "elsewhere"), os.fsencode(root / "2024-05-06") + b"/caf\xe9")
    found = [(f.path, f.outside, f.special, f.bad_name, f.path_date) for f in list_landing(root)]
    assert found == [
        ("2024-05-06/a.txt", False, None, False, date(2024, 5, 6)),
        ("2024-05-06/caf\\xe9", True, "folder", True, date(2024, 5, 6)),
    ]


def test_list_landing_lists_a_file_1100_folders_deep(tmp_path: Path) -> None:
    # os.walk of Python 3.11 recursed once per folder: a zone nested deeper than the recursion
    # limit (1,000) stopped the plan with a RecursionError instead of listing its files.
    folder = tmp_path / "2024-05-06"
    folder.mkdir()
    relative = "2024-05-06"
    try:
        for _ in range(1100):
            folder /= "d"
            folder.mkdir()
            relative += "/d"
        (folder / "deep.txt").write_bytes(b"abc")
        _write(tmp_path, "top.txt", b"t")
        found = [(f.path, f.size, f.path_date) for f in list_landing(tmp_path)]
        assert found == [(relative + "/deep.txt", 3, date(2024, 5, 6)), ("top.txt", 1, None)]
    finally:  # removed bottom up here: shutil.rmtree (pytest's clean-up) recurses per folder too
        (folder / "deep.txt").unlink(missing_ok=True)
        while folder != tmp_path:
            folder.rmdir()
            folder = folder.parent


def test_list_landing_stops_on_a_file_it_cannot_reach_instead_of_leaving_it_out(
    tmp_path: Path,
) -> None:
    # Review R2: a file whose path is longer than the system allows (17 folders of 250
    # characters) was left out of the listing without a word by the first scandir version;
    # os.walk with pathlib raised, and so does the listing: the run fails with the OS error.
    _write(tmp_path, "top.txt", b"t")
    folder = os.open(tmp_path, os.O_RDONLY)
    try:
        for index in range(17):
            name = chr(ord("a") + index) * 250
            os.mkdir(name, dir_fd=folder)
            inner = os.open(name, os.O_RDONLY, dir_fd=folder)
            os.close(folder)
            folder = inner
        os.close(os.open("deep.txt", os.O_WRONLY | os.O_CREAT, dir_fd=folder))
    finally:
        os.close(folder)
    with pytest.raises(OSError) as raised:
        list_landing(tmp_path)
    assert raised.value.errno == errno.ENAMETOOLONG


def test_list_landing_keeps_os_walks_order_for_rows_of_the_same_path(tmp_path: Path) -> None:
    # Review R2: a folder whose name is not UTF-8 is shown with \xNN, the same path as a folder
    # named with those characters; rows of one path stay in os.walk's order (folders by name:
    # the backslash before the undecodable byte), which the sort by path keeps.
    root = os.fsencode(tmp_path)
    for name, data in ((b"p1\\xff", b"shown"), (b"p1\xff", b"raw bytes")):
        os.mkdir(root + b"/" + name)
        with open(root + b"/" + name + b"/a.txt", "wb") as handle:
            handle.write(data)
    found = [(f.path, f.size, f.bad_name) for f in list_landing(tmp_path)]
    assert found == [("p1\\xff/a.txt", 5, False), ("p1\\xff/a.txt", 9, True)]


def test_a_folder_that_cannot_be_listed_is_listed_once_to_be_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Up to session 54 a folder whose listing failed was left out without a word: its files
    # were never seen, and no run said so. A folder that vanished since its parent was listed
    # is still skipped, as a vanished file is; a zone that cannot be listed stops the run.
    _write(tmp_path, "2024-05-06/locked/a.txt")
    _write(tmp_path, "2024-05-06/locked/deeper/b.txt")
    _write(tmp_path, "2024-05-06/ok.txt")
    _write(tmp_path, "gone/c.txt")
    _write(tmp_path, "undated/d.txt")
    unlistable(monkeypatch, {tmp_path / "2024-05-06" / "locked", tmp_path / "undated"})
    stat = (tmp_path / "2024-05-06" / "locked").lstat()
    rows = {f.path: f for f in list_landing(tmp_path)}
    assert sorted(rows) == ["2024-05-06/locked", "2024-05-06/ok.txt", "gone/c.txt", "undated"]
    assert rows["2024-05-06/locked"] == LandingFile(
        "2024-05-06/locked",
        stat.st_size,
        stat.st_mtime_ns,
        date(2024, 5, 6),
        special="folder",
        unlisted="Permission denied",
    )
    assert rows["undated"].path_date is None and rows["undated"].unlisted == "Permission denied"
    assert rows["2024-05-06/ok.txt"].unlisted is None

    unlistable(monkeypatch, {tmp_path / "gone"}, errno.ENOENT)
    assert "gone" not in {f.path for f in list_landing(tmp_path)}
    # Replaced by a file since its parent was listed: skipped too, as a vanished file is.
    unlistable(monkeypatch, {tmp_path / "gone"}, errno.ENOTDIR)
    assert [f.path for f in list_landing(tmp_path) if f.path.startswith("gone")] == []
    unlistable(monkeypatch, {tmp_path}, errno.EACCES)
    with pytest.raises(LandingZoneError, match="cannot be listed: Permission denied"):
        list_landing(tmp_path)


@pytest.mark.skipif(os.name != "posix", reason="file names are bytes on POSIX only")
def test_a_folder_that_cannot_be_listed_whose_name_is_not_utf8_is_shown_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Listed as every name that is not UTF-8 is (each such byte written \xNN), to be refused
    # as a bad name first.
    _write(tmp_path, "2024-05-06/a.txt", b"text")
    locked = os.fsencode(tmp_path / "2024-05-06") + b"/caf\xe9"
    os.mkdir(locked)
    with open(locked + b"/b.txt", "wb") as handle:
        handle.write(b"never listed")
    unlistable(monkeypatch, {Path(os.fsdecode(locked))})
    found = [(f.path, f.special, f.bad_name, f.unlisted) for f in list_landing(tmp_path)]
    assert found == [
        ("2024-05-06/a.txt", None, False, None),
        ("2024-05-06/caf\\xe9", "folder", True, "Permission denied"),
    ]
