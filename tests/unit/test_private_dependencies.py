"""The text stage reads private internals of py3langid and datasketch: both are pinned exactly,
and the internals it reads exist in the installed versions."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"

#: Distribution → the private names the text stage reads from it.
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


def test_datasketch_internals_exist() -> None:
    from datasketch import MinHash
    from datasketch.minhash import _fmix

    m = MinHash(num_perm=4, seed=1, scheme="affine32")
    a, b = m.permutations
    assert len(a) == len(b) == 4
    mixed = _fmix(np.array([12345], dtype=np.uint64), 32)
    assert mixed.shape == (1,)
