#!/usr/bin/env python3
"""Writes a trace of ROWS transactions that each name N distinct objects (the sender, who is
also the receiver, and N-1 token balances of its own), ten transactions per block. For the
large-transaction figures in docs/BENCHMARKS.md.

Usage: make_wide_trace.py N ROWS > wide_N.csv
"""
import sys

n, rows = int(sys.argv[1]), int(sys.argv[2])
print("block,tx_index,sender,receiver,extra_objects")
for r in range(rows):
    sender = f"{r + 1:x}"
    extras = ";".join(f"{r + 1:x}:{k + 1:x}" for k in range(n - 1))
    print(f"{r // 10 + 1},{r % 10},{sender},{sender},{extras}")
