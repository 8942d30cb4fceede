"""The promise tracker's deciding rules: claim groups and outcomes from plain records (no SQL, no I/O).

`db.tracking` selects claims and later evidence and writes `claim_groups` / `claim_outcomes`; the functions here
only decide. They are tested on records built by hand (tests/test_promises.py).
"""
