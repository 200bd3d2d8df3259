"""Which content each output was written from, so that an unchanged output is not written again.

Every output is deterministic (same content in, same bytes out). A digest of what an output
shows (the repr of the data and run facts it is written from) and of the code that lays it out
(this package's source and xlsxwriter's version) decides whether to write it again; the digests
of a folder's outputs are kept beside them in .firescore-digests.json.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import xlsxwriter

from firescore.atomic import atomic_path

DIGESTS = ".firescore-digests.json"


@cache
def code_digest() -> str:
    """Return a digest of the publish step's code: a changed layout writes every output again."""
    digest = hashlib.sha256(xlsxwriter.__version__.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def content_digest(*shown: object) -> str:
    """Return a digest of what an output shows (its inputs' repr) and of the code writing it."""
    text = code_digest() + repr(shown)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_digester(*shared: object) -> Callable[..., str]:
    """Return a content_digest for many outputs that all show ``shared``: it is hashed once.

    Each call digests the code, ``shared`` and what that one output shows besides.
    """
    base = hashlib.sha256((code_digest() + repr(shared)).encode("utf-8"))

    def digest(*shown: object) -> str:
        """Return a digest of the shared content and of what this output shows."""
        one = base.copy()
        one.update(repr(shown).encode("utf-8"))
        return one.hexdigest()

    return digest


def file_names(folder: Path) -> set[str]:
    """Return the names of the files in folder (empty if none): one listing, not a stat each."""
    try:
        return set(os.listdir(folder))
    except OSError:
        return set()


def read_digests(folder: Path) -> dict[str, str]:
    """Return the digests the outputs in folder were written from (empty if none)."""
    try:
        return json.loads((folder / DIGESTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_digests(
    folder: Path, digests: dict[str, str], recorded: dict[str, str] | None = None
) -> None:
    """Record the digests of the outputs now in folder (after they are written), if new.

    ``recorded`` is what folder held before, when the caller has read it already.
    """
    if (read_digests(folder) if recorded is None else recorded) == digests:
        return  # a run that wrote nothing touches nothing
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(folder / DIGESTS) as tmp:
        tmp.write_text(json.dumps(digests, ensure_ascii=False, sort_keys=True, indent=0), "utf-8")


def unchanged(paths: Iterable[Path], digest: str) -> bool:
    """Return whether every output exists and was written from this digest."""
    return all(
        path.exists() and read_digests(path.parent).get(path.name) == digest for path in paths
    )


def record(paths: Iterable[Path], digest: str) -> None:
    """Record that the outputs were written from this digest (beside each, in its folder)."""
    by_folder: dict[Path, list[str]] = {}
    for path in paths:
        by_folder.setdefault(path.parent, []).append(path.name)
    for folder, names in by_folder.items():
        write_digests(folder, read_digests(folder) | dict.fromkeys(names, digest))
