"""Two-person sign-off in one package (docs/architecture.md, "Two-person sign-off").

thresholds.py   from which amount per currency an item needs a second person
requests.py     an item recorded as pending, holding back the money it would take
decisions.py    approve, reject, withdraw; the queue
registry.py     ApprovalKind -> the handler that records a signed-off item of that kind
<kind>.py       one handler per kind: the stored payload read back into its command, recorded

The tables and the money held live in ledger/books/holds.py: posting counts the holds on
every check, and the core imports no area above it.  Keep this module free of imports so
that the domain functions can import ``requests`` without pulling in every handler.
"""
