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


# The pipeline's layers, lowest first: a module may import its own layer or a lower one, never a
# higher one (intake knows nothing of the warehouse; the warehouse nothing of publishing).
LAYERS = [
    ("firescore.intake", 1),
    ("firescore.warehouse", 2),
    ("firescore.publish", 3),
    ("firescore.commands", 4),
]


def layer_of(module: str) -> int | None:
    """Return the layer of a firescore module, or None for the shared base and the wiring on top."""
    for prefix, layer in LAYERS:
        if module == prefix or module.startswith(prefix + "."):
            return layer
    return None


def test_imports_point_down_the_pipeline_never_up():
    upward = []
    for path in sorted((ROOT / "firescore").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        own = layer_of(module)
        if own is None:
            continue
        text = path.read_text(encoding="utf-8")
        for imported in re.findall(r"^\s*(?:from|import) (firescore[\w.]*)", text, re.M):
            theirs = layer_of(imported)
            if theirs is not None and theirs > own:
                upward.append(f"{module} imports {imported}")
    assert upward == []
