"""The mutation-run test order (tests/mutation_plugin.py): modules kept together, cheapest first."""

from __future__ import annotations

import os
from pathlib import Path

from tests.mutation_plugin import ChildHits, module_order

SECONDS = {
    "tests/integration/test_q.py::test_a": {"setup": 30.0, "call": 0.01, "teardown": 0.5},
    "tests/integration/test_q.py::test_b": {"setup": 0.0, "call": 0.02, "teardown": 0.0},
    "tests/unit/test_u.py::test_x": {"setup": 0.0, "call": 2.0, "teardown": 0.0},
    "tests/unit/test_u.py::test_y": {"setup": 0.0, "call": 0.5, "teardown": 0.0},
    "tests/unit/test_v.py::test_z": {"setup": 0.1, "call": 0.1, "teardown": 0.0},
}


def test_a_module_with_an_expensive_fixture_goes_after_cheap_calls() -> None:
    # mutmut's order (fastest call first) interleaves the fixture's module with the others.
    given = [
        "tests/integration/test_q.py::test_a",
        "tests/unit/test_v.py::test_z",
        "tests/integration/test_q.py::test_b",
        "tests/unit/test_u.py::test_y",
        "tests/unit/test_u.py::test_x",
    ]
    assert module_order(given, SECONDS) == [
        "tests/unit/test_v.py::test_z",  # 0.2 s
        "tests/unit/test_u.py::test_y",  # 2.5 s, given order kept inside the module
        "tests/unit/test_u.py::test_x",
        "tests/integration/test_q.py::test_a",  # 30.5 s set-up + 0.03 s
        "tests/integration/test_q.py::test_b",
    ]


def test_only_the_given_tests_count_and_unknown_tests_go_last() -> None:
    # Without test_x, test_u costs 0.5 s: after test_v (0.2 s); a test with no timings, 60 s.
    given = [
        "tests/new/test_n.py::test_new",
        "tests/unit/test_u.py::test_y",
        "tests/unit/test_v.py::test_z",
    ]
    assert module_order(given, SECONDS) == [
        "tests/unit/test_v.py::test_z",
        "tests/unit/test_u.py::test_y",
        "tests/new/test_n.py::test_new",
    ]


def test_the_functions_a_forked_process_reaches_come_back_to_the_test(tmp_path: Path) -> None:
    # During mutmut's stats run a test's validation ran in a forked child: the functions it
    # reached there were never tied to the test (seed 1230).
    hits = ChildHits(tmp_path, ["known"])
    hits.add("in_pytest")  # this process: kept in the set, no file
    assert list(tmp_path.iterdir()) == []
    pid = os.fork()
    if pid == 0:  # the child: what it adds reaches the parent through a file, once per name
        for name in ("validate", "chunk_frames", "validate"):
            hits.add(name)
        grandchild = os.fork()
        if grandchild == 0:
            hits.add("post_load")
            os._exit(0)
        os.waitpid(grandchild, 0)
        os._exit(0)
    os.waitpid(pid, 0)
    assert sorted(p.read_text(encoding="utf-8") for p in tmp_path.iterdir()) == [
        "post_load\n",
        "validate\nchunk_frames\n",
    ]
    hits.collect()
    assert hits == {"known", "in_pytest", "validate", "chunk_frames", "post_load"}
    assert list(tmp_path.iterdir()) == []
