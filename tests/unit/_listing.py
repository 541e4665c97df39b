"""A landing folder the listing may not read, for tests: root, who runs CI, can list any folder,
so ``os.scandir`` is made to fail on the chosen folders as it does without read permission."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest


def unlistable(
    monkeypatch: pytest.MonkeyPatch, folders: set[Path], code: int = errno.EACCES
) -> None:
    """``os.scandir`` fails on ``folders`` with the system error ``code`` (``EACCES``: as for a
    folder without read permission); every other folder is listed as usual."""
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if isinstance(path, str | os.PathLike) and Path(path) in folders:
            raise OSError(code, os.strerror(code), str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
