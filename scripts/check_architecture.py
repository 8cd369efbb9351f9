#!/usr/bin/env python3
"""Fails when a source file includes a header it may not depend on.

Two tables in docs/ARCHITECTURE.md define what is allowed:
- between the architecture-table markers: which top-level modules each module may include;
- between the executor-layers-table markers: which parts of executor/ (tx, vm, exec, ...) each
  part may include, and which parts `net` may include.
Every include form counts: #include "m/...", #include <m/...>, with any spacing. Generated
FlatBuffers headers (executor/<schema>_generated.h) belong to no part and are open to all.

Usage: check_architecture.py [REPO_ROOT]
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
doc = (root / "docs" / "ARCHITECTURE.md").read_text()


def table(name):
    m = re.search(rf"<!-- {name}:begin -->(.*?)<!-- {name}:end -->", doc, re.S)
    if not m:
        sys.exit(f"check_architecture: no {name} in docs/ARCHITECTURE.md")
    rows = {}
    for line in m.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] in ("module", "part", "") or set(cells[0]) <= set("-"):
            continue
        rows[cells[0]] = {d.strip() for d in cells[1].split(",") if d.strip()}
    return rows


modules = table("architecture-table")
parts = table("executor-layers-table")
NET_ROW = "net (from outside executor)"
net_parts = parts.pop(NET_ROW, None)
if net_parts is None:
    sys.exit(f"check_architecture: the executor-layers-table lacks the row '{NET_ROW}'")

include_re = re.compile(r'^\s*#\s*include\s*[<"]([A-Za-z0-9_.]+)(/[^>"]*)?[>"]')
part_re = re.compile(r"^/([a-z_]+)/")
violations = []
checked = 0


def executor_part(rest):
    """The executor part an include of executor/<rest> names, or None (generated headers)."""
    m = part_re.match(rest or "")
    return m.group(1) if m else None


for module, deps in modules.items():
    folder = root / module
    if not folder.is_dir():
        continue
    for path in sorted(folder.rglob("*")):
        if path.suffix not in (".h", ".hpp", ".cpp", ".cc", ".inc"):
            continue
        checked += 1
        rel = path.relative_to(root)
        own_part = rel.parts[1] if module == "executor" and len(rel.parts) > 2 else None
        for lineno, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            hit = include_re.match(line)
            if not hit or hit.group(2) is None:
                continue
            target, rest = hit.group(1), hit.group(2)
            where = f"{rel}:{lineno}"
            if target in modules and target != module and target not in deps:
                violations.append(f"{where}: {module} may not include {target}/ "
                                  f"(allowed: {', '.join(sorted(deps)) or 'none'})")
                continue
            if target != "executor":
                continue
            part = executor_part(rest)
            if part is None:
                continue
            if own_part is not None and own_part in parts:
                allowed = parts[own_part]
                if part != own_part and part not in allowed:
                    violations.append(f"{where}: executor/{own_part} may not include "
                                      f"executor/{part}/ (allowed: "
                                      f"{', '.join(sorted(allowed)) or 'none'})")
            elif own_part is not None:
                violations.append(f"{where}: executor/{own_part} is not in the "
                                  "executor-layers-table of docs/ARCHITECTURE.md")
            elif module == "net" and part not in net_parts:
                violations.append(f"{where}: net may include only executor/"
                                  f"{{{', '.join(sorted(net_parts))}}} (types and service "
                                  f"interfaces), not executor/{part}/")

for v in violations:
    print(v)
print(f"check_architecture: {checked} files, {len(violations)} violations")
sys.exit(1 if violations else 0)
