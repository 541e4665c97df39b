"""The frames GX judges (etl.validate.runner.prepare_frame): integer columns of other widths
become int64 with their values, a nullable one keeps its gaps. A mutant that dropped a narrow
integer column's values (mutation sample 1210) passed every fast test: GX's bounds ignore
missing values, so ``n_paragraphs`` of 0 would have passed its ``min_value: 1``."""

from __future__ import annotations

from datetime import date

import pandas as pd

from etl.validate.runner import prepare_frame


def test_a_narrow_integer_column_becomes_int64_with_its_values() -> None:
    frame = pd.DataFrame(
        {
            "n_paragraphs": pd.Series([0, 5, 2_000_000_000], dtype="int32"),
            "n_terms": pd.Series([1, 2, 3], dtype="uint16"),
            "unused": [1, 2, 3],
        }
    )
    out = prepare_frame(frame, ["n_paragraphs", "n_terms", "missing"])
    assert list(out.columns) == ["n_paragraphs", "n_terms"]
    assert str(out["n_paragraphs"].dtype) == "int64"
    assert out["n_paragraphs"].tolist() == [0, 5, 2_000_000_000]
    assert str(out["n_terms"].dtype) == "int64"
    assert out["n_terms"].tolist() == [1, 2, 3]


def test_a_nullable_integer_column_with_gaps_keeps_them() -> None:
    frame = pd.DataFrame({"n": pd.Series([0, None, 7], dtype="Int32")})
    out = prepare_frame(frame, ["n"])
    assert out["n"].isna().tolist() == [False, True, False]
    assert [out["n"][0], out["n"][2]] == [0, 7]


def test_date_columns_become_nanoseconds_unless_a_date_does_not_fit() -> None:
    # GX's pandas metrics are vectorised for datetime64[ns] only (other units fall back to
    # per-value Python): a column of microseconds or seconds, as pandas reads a staged
    # timestamp, and a column of Python dates become datetime64[ns] with their values; a
    # column holding a date nanoseconds cannot (before 1677-09-22) stays in seconds, values
    # kept. (Seed 1226: converting only the columns already in nanoseconds passed every test.)
    days = ["2024-03-04", "1900-01-01"]
    frame = pd.DataFrame(
        {
            "micro": pd.Series(pd.to_datetime(days)).astype("datetime64[us]"),
            "seconds": pd.Series(pd.to_datetime(days)).astype("datetime64[s]"),
            "dates": [date(2024, 3, 4), date(1900, 1, 1)],
            "ancient": pd.Series(["0001-01-01", "2024-03-04"], dtype="datetime64[s]"),
        }
    )
    out = prepare_frame(frame, ["micro", "seconds", "dates", "ancient"])
    assert {name: str(out[name].dtype) for name in out.columns} == {
        "micro": "datetime64[ns]",
        "seconds": "datetime64[ns]",
        "dates": "datetime64[ns]",
        "ancient": "datetime64[s]",
    }
    for name in ("micro", "seconds", "dates"):
        assert [str(v.date()) for v in out[name]] == days
    assert [v.isoformat() for v in out["ancient"].dt.date] == ["0001-01-01", "2024-03-04"]
