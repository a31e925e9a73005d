"""Files the builder writes: atomically, and only when their bytes change.

Every output is written to a temporary file in the same directory and then
renamed over the target (``os.replace`` is atomic on POSIX and Windows), so
that a build interrupted by Ctrl-C or ``kill`` leaves each file either as it
was or complete, never truncated. A file whose new bytes equal the old ones
is not written at all, so a rebuild where nothing changed touches no file.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["MANIFEST", "read_manifest", "remove_stale_temporaries", "write_bytes", "write_json",
           "write_text"]

MANIFEST = "manifest.json"
_TMP_PREFIX = "."
_TMP_SUFFIX = ".tmp"


def write_bytes(path: str | os.PathLike, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically unless the file already holds exactly these bytes.

    Returns
    -------
    bool
        ``True`` when the file was written, ``False`` when it was already up to date.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_bytes(d / "a.txt", b"x"), write_bytes(d / "a.txt", b"x"), write_bytes(d / "a.txt", b"y")
    (True, False, True)
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt']
    """
    path = Path(path)
    with contextlib.suppress(OSError):
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{_TMP_PREFIX}{path.name}.", suffix=_TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return True


def write_text(path: str | os.PathLike, text: str) -> bool:
    """:func:`write_bytes` for UTF-8 text."""
    return write_bytes(path, text.encode("utf-8"))


def write_json(path: str | os.PathLike, obj: Any) -> bool:
    """:func:`write_bytes` for JSON with sorted keys and a final newline (byte-stable)."""
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
        for p in sub.glob(f"{_TMP_PREFIX}*{_TMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
    return removed
