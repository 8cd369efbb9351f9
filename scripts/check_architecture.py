#!/usr/bin/env python3
"""Fails when a module includes a header of a module it may not depend on.

The allowed graph is the table between the architecture-table markers in docs/ARCHITECTURE.md.
Usage: check_architecture.py [REPO_ROOT]
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
doc = (root / "docs" / "ARCHITECTURE.md").read_text()
m = re.search(r"<!-- architecture-table:begin -->(.*?)<!-- architecture-table:end -->", doc, re.S)
if not m:
    sys.exit("check_architecture: no architecture table in docs/ARCHITECTURE.md")

allowed = {}
for line in m.group(1).splitlines():
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) != 2 or cells[0] in ("module", "") or set(cells[0]) <= set("-"):
        continue
    allowed[cells[0]] = {d.strip() for d in cells[1].split(",") if d.strip()}

include_re = re.compile(r'^\s*#\s*include\s*"([a-z_]+)/')
violations = []
checked = 0
for module, deps in allowed.items():
    folder = root / module
    if not folder.is_dir():
        continue
    for path in sorted(folder.rglob("*")):
        if path.suffix not in (".h", ".hpp", ".cpp", ".cc"):
            continue
        checked += 1
        for lineno, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            hit = include_re.match(line)
            if not hit:
                continue
            target = hit.group(1)
            if target in allowed and target != module and target not in deps:
                violations.append(f"{path.relative_to(root)}:{lineno}: {module} may not include "
                                  f"{target}/ (allowed: {', '.join(sorted(deps)) or 'none'})")

for v in violations:
    print(v)
print(f"check_architecture: {checked} files, {len(violations)} violations")
sys.exit(1 if violations else 0)
