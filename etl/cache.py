"""A cache of derived arrays that are slow to build and fixed by their inputs, kept on disk so
each new process (every Airflow task is one) loads them instead of building them again.

An entry is a folder of ``.npy`` files under :attr:`etl.settings.Settings.cache_root`, named by
a hash of everything the arrays derive from. It is written to a temporary folder and renamed
into place, so a process never sees half an entry, and arrays are memory-mapped read-only when
loaded. The cache is only an optimisation: an entry that cannot be read or written is built in
memory instead (and a broken one is replaced).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from etl.settings import Settings, cache_root_from_environment


def cached_arrays(
    name: str,
    inputs: object,
    build: Callable[[], Mapping[str, np.ndarray]],
    settings: Settings | None = None,
) -> dict[str, np.ndarray]:
    """The arrays ``build()`` returns, from the cache entry of ``name`` and ``inputs`` (any
    JSON-serialisable description of what the arrays derive from) when there is one."""
    digest = hashlib.sha256(json.dumps([name, inputs], sort_keys=True).encode()).hexdigest()
    root = settings.cache_root if settings is not None else cache_root_from_environment()
    entry = root / f"{name}-{digest[:20]}"
    loaded = _load(entry)
    if loaded is not None:
        return loaded
    arrays = {key: np.asarray(value) for key, value in build().items()}
    _store(entry, arrays)
    return arrays


def _load(entry: Path) -> dict[str, np.ndarray] | None:
    try:
        names = json.loads((entry / "arrays.json").read_text(encoding="utf-8"))
        # Plain (read-only) arrays over the mapped files: a ``np.memmap`` indexes through a
        # Python ``__getitem__``, ~3 µs a call that the language walk pays per byte position.
        return {key: np.asarray(np.load(entry / f"{key}.npy", mmap_mode="r")) for key in names}
    except (OSError, ValueError):
        return None


def _store(entry: Path, arrays: Mapping[str, np.ndarray]) -> None:
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{entry.name}-", dir=entry.parent))
    except OSError:
        return
    try:
        for key, value in arrays.items():
            np.save(building / f"{key}.npy", value, allow_pickle=False)
        (building / "arrays.json").write_text(json.dumps(sorted(arrays)), encoding="utf-8")
        if _load(entry) is not None:
            return  # another process stored it meanwhile: keep theirs
        shutil.rmtree(entry, ignore_errors=True)  # a broken entry
        building.replace(entry)
    except (OSError, ValueError):
        pass  # e.g. another process renamed its copy into place first: keep theirs
    finally:
        shutil.rmtree(building, ignore_errors=True)
