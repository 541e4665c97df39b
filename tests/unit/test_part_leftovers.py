"""Temporary files of pages written beside themselves: a killed writer's is removed by the next
write of the same page, a live writer's (or another machine's) is kept. The tests run under a
host name given to them (:func:`named_host`), but the one whose writer is another process."""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from etl.output import _destination, write_whole

#: The host name the tests run under, and how a temporary file's name spells it.
HOST = "web1.example.org"
HOST_IN_NAME = "web1_example_org"


@pytest.fixture
def named_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process runs on :data:`HOST`."""
    monkeypatch.setattr(socket, "gethostname", lambda: HOST)


@pytest.fixture
def dead_pid() -> int:
    """The id of a process that has ended (and been waited for)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def running_pid() -> Iterator[int]:
    """The id of a process that runs while the test does."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield child.pid
    finally:
        child.kill()
        child.wait()


def _names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


@pytest.mark.usefixtures("named_host")
def test_a_killed_writers_leftover_goes_when_the_page_is_written(
    tmp_path: Path, dead_pid: int
) -> None:
    leftover = tmp_path / f".page.html.{HOST_IN_NAME}.{dead_pid}.k3x9q2ab.part"
    leftover.write_bytes(b"<p>half a pa")
    write_whole(tmp_path / "page.html", "<p>the page</p>")
    assert _names(tmp_path) == ["page.html"]
    assert (tmp_path / "page.html").read_text(encoding="utf-8") == "<p>the page</p>"


def test_a_writer_killed_part_way_leaves_nothing_once_the_page_is_written_again(
    tmp_path: Path,
) -> None:
    page = tmp_path / "page.html"
    page.write_text("old", encoding="utf-8")
    killed = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from etl.output import _destination\n"
        "with _destination(Path(sys.argv[1])) as sink:\n"
        "    sink.write(b'half')\n"
        "    sink.flush()\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    run = subprocess.run([sys.executable, "-c", killed, str(page)], check=False)
    assert run.returncode == -signal.SIGKILL
    left = [name for name in _names(tmp_path) if name != "page.html"]
    assert len(left) == 1 and left[0].startswith(".page.html.") and left[0].endswith(".part")
    write_whole(page, "new")
    assert _names(tmp_path) == ["page.html"]
    assert page.read_text(encoding="utf-8") == "new"


@pytest.mark.usefixtures("named_host")
def test_a_live_writers_file_is_kept(tmp_path: Path, running_pid: int) -> None:
    mine = tmp_path / f".page.html.{HOST_IN_NAME}.{os.getpid()}.aaaaaaaa.part"
    theirs = tmp_path / f".page.html.{HOST_IN_NAME}.{running_pid}.bbbbbbbb.part"
    mine.write_bytes(b"being written")
    theirs.write_bytes(b"being written")
    write_whole(tmp_path / "page.html", "<p>the page</p>")
    assert _names(tmp_path) == sorted([mine.name, theirs.name, "page.html"])
    assert (tmp_path / "page.html").read_text(encoding="utf-8") == "<p>the page</p>"


@pytest.mark.usefixtures("named_host")
def test_a_locked_file_is_kept_until_its_lock_is_let_go(tmp_path: Path, dead_pid: int) -> None:
    # A writer in another process namespace under the same host name: its process id means
    # nothing here, its lock does.
    part = tmp_path / f".page.html.{HOST_IN_NAME}.{dead_pid}.cccccccc.part"
    part.write_bytes(b"being written")
    with part.open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        write_whole(tmp_path / "page.html", "first")
        assert _names(tmp_path) == sorted([part.name, "page.html"])
    write_whole(tmp_path / "page.html", "second")
    assert _names(tmp_path) == ["page.html"]
    assert (tmp_path / "page.html").read_text(encoding="utf-8") == "second"


@pytest.mark.usefixtures("named_host")
def test_files_of_other_hosts_and_other_pages_are_kept(tmp_path: Path, dead_pid: int) -> None:
    kept = [
        f".page.html.web2.{dead_pid}.dddddddd.part",  # another machine sharing the folder
        f".other.html.{HOST_IN_NAME}.{dead_pid}.eeeeeeee.part",  # another page
        ".page.html.ffffffff.part",  # named as before: whose it is cannot be told
    ]
    for name in kept:
        (tmp_path / name).write_bytes(b"x")
    write_whole(tmp_path / "page.html", "<p>the page</p>")
    assert _names(tmp_path) == sorted([*kept, "page.html"])


@pytest.mark.usefixtures("named_host")
def test_the_writer_names_and_locks_its_file_while_it_writes(tmp_path: Path) -> None:
    with _destination(tmp_path / "page.html") as sink:
        sink.write(b"part")
        (part,) = tmp_path.iterdir()
        assert part.name.startswith(f".page.html.{HOST_IN_NAME}.{os.getpid()}.")
        assert part.name.endswith(".part")
        with part.open("rb") as probe, pytest.raises(BlockingIOError):
            fcntl.flock(probe.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
    assert _names(tmp_path) == ["page.html"]


@pytest.mark.usefixtures("named_host")
@pytest.mark.parametrize("name", ["r" * 246 + ".csv", "é" * 120 + ".csv"], ids=["ascii", "utf-8"])
def test_a_long_file_name_is_written_and_its_leftovers_found(
    tmp_path: Path, dead_pid: int, name: str
) -> None:
    """A name of 200-odd bytes was written before the temporary name held the host and the
    process id, and failed after (ENAMETOOLONG; review, session 43): the name's part is cut."""
    target = tmp_path / name
    assert len(target.name.encode()) > 240  # a name the file system takes (255 at most)
    write_whole(target, "a,b\n")
    assert _names(tmp_path) == [name]
    # a killed writer's leftover of it, named as this version names them, goes with the next write
    head = target.name.encode()[: 255 - 4 - len(HOST_IN_NAME) - 10 - 8 - 5].decode(errors="ignore")
    leftover = tmp_path / f".{head}.{HOST_IN_NAME}.{dead_pid}.k3x9q2ab.part"
    leftover.write_bytes(b"a,")
    write_whole(target, "a,b\nc,d\n")
    assert _names(tmp_path) == [name]
    assert target.read_text(encoding="utf-8") == "a,b\nc,d\n"
