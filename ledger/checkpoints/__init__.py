"""Signed checkpoints of the hash chain, and the public state they fix (docs/privacy.md).

No Flask here: the web, API and CLI layers pass in the session, the key and the clock.
"""
