"""The frames GX judges (etl.validate.runner.prepare_frame): integer columns of other widths
become int64 with their values, a nullable one keeps its gaps. A mutant that dropped a narrow
integer column's values (mutation sample 1210) passed every fast test: GX's bounds ignore
missing values, so ``n_paragraphs`` of 0 would have passed its ``min_value: 1``."""

from __future__ import annotations

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
