#!/usr/bin/env python3
"""Proves that check_architecture.py can fail: in a copy of the tree, plants one forbidden
include at a time (each include form, each rule) and requires the check to fail naming the
planted file; a permitted include and the untouched copy must pass.

Usage: test_check_architecture.py REPO_ROOT
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
script = root / "scripts" / "check_architecture.py"

# (file to plant, line, whether the check must fail)
CASES = [
    ("storage/planted.cpp", '#include "executor/tx/object.h"', True),
    ("storage/planted.cpp", "#include <executor/tx/object.h>", True),
    ("common/planted.h", "#  include   <recovery/snapshot.h>", True),
    ("executor/tx/planted.cpp", '#include "executor/exec/state.h"', True),
    ("executor/exec/planted.h", "#include <executor/protocol/primary.h>", True),
    ("executor/sequential/planted.cpp", '#include "executor/simulation/simulation.h"', True),
    ("net/planted.cpp", '#include "storage/store.h"', True),
    ("net/planted.cpp", "#include <executor/sequential/sequential.h>", True),
    ("executor/newpart/planted.cpp", '#include "executor/tx/object.h"', True),
    ("net/planted.cpp", "#include <executor/tx/object.h>", False),
    ("executor/simulation/planted.cpp", '#include "executor/protocol/primary.h"', False),
    ("executor/tx/planted.cpp", '#include "executor/transaction_generated.h"', False),
]


def run(tree):
    return subprocess.run([sys.executable, str(script), str(tree)], capture_output=True, text=True)


failures = []
with tempfile.TemporaryDirectory(prefix="remora-archcheck-") as tmp:
    tree = pathlib.Path(tmp)
    (tree / "docs").mkdir()
    shutil.copy(root / "docs" / "ARCHITECTURE.md", tree / "docs")
    for module in ("common", "storage", "recovery", "executor", "net", "tools", "tests"):
        source = root / module
        if source.is_dir():
            shutil.copytree(source, tree / module, ignore=shutil.ignore_patterns("*.csv"))
        else:
            (tree / module).mkdir()
    clean = run(tree)
    if clean.returncode != 0:
        failures.append(f"the untouched copy fails:\n{clean.stdout}")
    for rel, line, must_fail in CASES:
        planted = tree / rel
        planted.parent.mkdir(parents=True, exist_ok=True)
        planted.write_text(f"// planted by test_check_architecture.py\n{line}\n")
        result = run(tree)
        failed = result.returncode != 0 and rel in result.stdout
        if failed != must_fail:
            want = "fail" if must_fail else "pass"
            failures.append(f"{rel}: `{line}` should {want}; got exit {result.returncode}:\n"
                            f"{result.stdout}")
        planted.unlink()

for f in failures:
    print(f)
print(f"test_check_architecture: {len(CASES)} planted includes, {len(failures)} wrong verdicts")
sys.exit(1 if failures else 0)
