#!/usr/bin/env python3
"""Writes large_rows.csv: a trace whose transactions name hundreds of objects, as real Ethereum
transactions write hundreds of storage slots (up to about 400 on mainnet). Deterministic: the
ids are the first 16 hex digits of SHA-256 of a label, like the shared trace's.

Rows (block, tx_index: objects named):
  1,0: 1 object (sender only, receiver = sender)    1,1: 400 distinct objects
  1,2: 250 objects, 120 of them also in 1,1        2,0: a CREATE with 300 objects
  2,1: 420 extras of which 20 repeat (dedup)       2,2: 2 objects
  3,0: 399 objects, all of 1,1's extras but one
Usage: make_large_rows.py > large_rows.csv
"""
import hashlib


def hid(label):
    return hashlib.sha256(label.encode()).hexdigest()[:16]


def slot(contract, n):
    return f"{hid('contract' + str(contract))}:{hid(f'slot{contract}/{n}')}"


rows = []
rows.append((1, 0, hid("a0"), hid("a0"), []))
big = [slot(1, n) for n in range(398)]
rows.append((1, 1, hid("a1"), hid("c1"), big))
rows.append((1, 2, hid("a2"), hid("c1"), big[:120] + [slot(2, n) for n in range(128)]))
rows.append((2, 0, hid("a3"), "CREATE", [slot(3, n) for n in range(299)]))
extras = [slot(4, n) for n in range(400)]
rows.append((2, 1, hid("a1"), hid("c4"), extras + extras[:20]))
rows.append((2, 2, hid("a4"), hid("a0"), []))
rows.append((3, 0, hid("a5"), hid("c1"), big[:-1]))

print("block,tx_index,sender,receiver,extra_objects,gas_limit")
for block, index, sender, receiver, extra in rows:
    print(f"{block},{index},{sender},{receiver},{';'.join(extra)},30000000")
