"""Files the builder writes: atomically, and only when their bytes change.

Every output goes through :func:`ipsresearch.paths.write_bytes`: it is
written to a temporary file in the same directory and then renamed over the
target, so that a build interrupted by Ctrl-C or ``kill`` leaves each file
either as it was or complete, never truncated. A file whose new bytes equal
the old ones is not written at all, so a rebuild where nothing changed
touches no file.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from ipsresearch.paths import TMP_PREFIX, TMP_SUFFIX, write_bytes

__all__ = ["MANIFEST", "read_manifest", "remove_stale_temporaries", "write_json", "write_text"]

MANIFEST = "manifest.json"


def write_text(path: str | os.PathLike, text: str) -> bool:
    """:func:`ipsresearch.paths.write_bytes` for UTF-8 text: ``True`` when the file was written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_text(d / "a.txt", "x"), write_text(d / "a.txt", "x"), write_text(d / "a.txt", "y")
    (True, False, True)
    """
    return write_bytes(path, text.encode("utf-8"))


def write_json(path: str | os.PathLike, obj: Any) -> bool:
    """:func:`write_text` for JSON with sorted keys and a final newline (byte-stable)."""
    text = json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return write_text(path, text + "\n")


def read_manifest(out_dir: str | os.PathLike) -> dict[str, Any]:
    """The manifest of a previous build in ``out_dir`` (empty when absent or unreadable)."""
    try:
        data = json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remove_stale_temporaries(directory: str | os.PathLike) -> list[Path]:
    """Delete temporary files a killed build left behind (``.<name>.<random>.tmp``)."""
    removed = []
    for sub in (Path(directory), Path(directory) / "_executed", Path(directory) / "_failed"):
        if not sub.is_dir():
            continue
        for p in sub.glob(f"{TMP_PREFIX}*{TMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
    return removed
