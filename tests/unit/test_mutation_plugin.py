"""The mutation-run test order (tests/mutation_plugin.py): modules kept together, cheapest first."""

from __future__ import annotations

from tests.mutation_plugin import module_order

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
