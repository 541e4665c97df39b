"""The text stage reads private internals of py3langid and reproduces datasketch's MinHash
scheme without importing it: both are pinned exactly, the internals read exist in the installed
versions, and the reproduction equals datasketch's own."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"

#: Distribution → the module that reads its private names or reproduces its internals.
PRIVATE_USERS = {"py3langid": "etl/text/language.py", "datasketch": "etl/text/minhash.py"}


def _requirements() -> dict[str, str]:
    deps = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    out = {}
    for spec in deps:
        name = spec.split("[")[0].split("=")[0].split(">")[0].split("<")[0].strip()
        out[name] = spec[len(name) :].strip()
    return out


@pytest.mark.parametrize("dist", sorted(PRIVATE_USERS))
def test_a_dependency_whose_internals_we_read_is_pinned_exactly(dist: str) -> None:
    spec = _requirements()[dist]
    assert spec.startswith("==") and "," not in spec, (
        f"{dist} is required as {spec!r}: {PRIVATE_USERS[dist]} reads its private internals, "
        "so an upgrade must be a deliberate change of the exact pin"
    )
    assert version(dist) == spec.removeprefix("=="), "the environment is not the locked one"


def test_py3langid_internals_exist() -> None:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    assert MODEL_DIR is not None
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(["de", "en"])
    for name in (
        "nb_classes",
        "tk_nextmove",
        "_rowbase",
        "tk_output",
        "nb_ptc",
        "nb_pc",
        "_alias_pairs",
    ):
        assert hasattr(identifier, name), f"py3langid no longer has LanguageIdentifier.{name}"


def test_datasketch_scheme_is_reproduced_exactly() -> None:
    from datasketch import MinHash
    from datasketch.minhash import _fmix

    from etl.text import minhash

    for seed, num_perm in ((minhash.SEED, minhash.NUM_PERM), (7, 3), (123456, 256)):
        theirs = MinHash(num_perm=num_perm, seed=seed, scheme=minhash.SCHEME)
        a, b = minhash._affine32_permutations(seed, num_perm)
        assert a.dtype == b.dtype == theirs.permutations.dtype
        assert np.array_equal(np.array([a, b]), theirs.permutations), (seed, num_perm)
    start = MinHash(num_perm=minhash.NUM_PERM, seed=minhash.SEED, scheme=minhash.SCHEME)
    assert np.array_equal(minhash._INITIAL, start.hashvalues)
    assert minhash._INITIAL.dtype == start.hashvalues.dtype
    values = np.random.default_rng(5).integers(0, 2**32, 10_000, dtype=np.uint64)
    edges = np.array([0, 1, 2**16, 2**31, 2**32 - 1], dtype=np.uint64)
    for hv in (values.astype(np.uint32), edges.astype(np.uint32)):
        assert np.array_equal(minhash._fmix32(hv), _fmix(hv, 32))
