"""Benchmark of the ledger: a generated million-posting journal measured against
raw SQL, hledger and a trivial HTTP endpoint.  Run with ``make bench``."""
