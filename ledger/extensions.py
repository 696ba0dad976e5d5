"""Flask extensions, created once and initialised in ``create_app``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from ledger.database import Base

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class LedgerSQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy, with ``db.session`` typed as what views and commands use it as.

    At run time ``db.session`` is a ``scoped_session``: a proxy that hands every call to the
    current request's (or command's) ``Session``.  The domain's functions take a ``Session``;
    typing the proxy as one lets views pass ``db.session`` to them without a cast at each of
    the ~70 call sites.
    """

    if TYPE_CHECKING:
        session: Session  # type: ignore[assignment]


db = LedgerSQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
