"""ARCHITECTURE.md matches the code: its tree names every module under firescore/."""

import fnmatch
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tree_paths() -> list[str]:
    """Return the paths the first code block of ARCHITECTURE.md names, folders ending in /."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    block = text.split("```", 2)[1]
    parents: list[str] = []  # the folder open at each depth
    found = []
    for line in block.splitlines():
        match = re.match(r"^( *)(\S+)(?: {2,}|$)", line)
        if not match or not line.strip():
            continue
        depth = len(match.group(1)) // 2
        if depth > len(parents):  # a continuation line of the description above
            continue
        parents = parents[:depth]
        path = "".join(parents) + match.group(2)
        found.append(path)
        if path.endswith("/"):
            parents.append(match.group(2))
    return found


def modules() -> list[str]:
    """Return every Python module under firescore/ (package __init__ files aside)."""
    return sorted(
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "firescore").rglob("*.py")
        if p.name != "__init__.py"
    )


def test_every_module_under_firescore_is_named_in_architecture_md():
    named = tree_paths()
    missing = [m for m in modules() if not any(fnmatch.fnmatch(m, n) for n in named)]
    assert missing == [], f"add these to the tree in ARCHITECTURE.md: {missing}"


def test_every_file_architecture_md_names_under_firescore_exists():
    named = [n for n in tree_paths() if n.startswith("firescore/")]
    stale = [n for n in named if not any(ROOT.glob(n.rstrip("/")))]
    assert stale == [], f"ARCHITECTURE.md names what no longer exists: {stale}"
