"""The roles a user can have, and which roles may write and read.  No Flask, no models:
the CHECK on ``users.role``, the CLI's choices and the views' guards all read this."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    AUDITOR = "auditor"


ROLES: tuple[Role, ...] = tuple(Role)
WRITERS: tuple[Role, ...] = (Role.ADMIN, Role.COORDINATOR)  # record money and edit profiles
READERS: tuple[Role, ...] = ROLES  # read the books
