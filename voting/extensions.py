"""Extensions created unbound; create_app() binds them."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


# expire_on_commit=False: reading an attribute after commit must not silently open a new
# (SQLite: write-locking) transaction.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
socketio = SocketIO()
csrf = CSRFProtect()
# Every limit names its own key (voting/web/rate_limits.py): per delegate, browser, event or
# connection. The address, the default here, only ever counts the facilitator's sign-in.
limiter = Limiter(key_func=get_remote_address)
