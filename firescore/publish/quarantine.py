"""Rejected files: copied with their issue report to out/<quarter>/rejected/; the inbox is never changed."""

from __future__ import annotations

import shutil
from pathlib import Path

from firescore.atomic import Placer, atomic_path
from firescore.intake.pipeline import ReadFile
from firescore.issues import SEVERITY_ZH


def quarantine(files: list[ReadFile], out_dir: Path) -> list[Path]:
    """Copy each rejected file and write its issues beside it; return the reports written."""
    with Placer() as placer:
        return [_quarantine(read, out_dir, placer) for read in files if not read.valid]


def _quarantine(read: ReadFile, out_dir: Path, placer: Placer) -> Path:
    """Copy one rejected file and write its issues beside it; return the report's path."""
    sub = read.submission
    target = out_dir / sub.quarter / "rejected" / sub.unit_code / sub.sha256[:12]
    target.mkdir(parents=True, exist_ok=True)
    for path in sub.paths:
        # Atomic, so a run that dies mid-copy never leaves half a file under the real name.
        with atomic_path(target / path.name, placer) as tmp:
            shutil.copy2(path, tmp)
    lines = [
        f"文件：{sub.rel_path}",
        f"单位：{sub.unit_code}    接收时间：{sub.received_at:%Y-%m-%d %H:%M}",
        f"SHA-256：{sub.sha256}",
        "结论：因存在错误，本文件被退回，未纳入考核；请修改后重新报送。",
        "",
    ]
    lines += [f"[{SEVERITY_ZH[i.severity]}] {i.message}" for i in read.issues]
    report = target / "问题清单.txt"
    with atomic_path(report, placer) as tmp:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report
