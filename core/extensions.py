"""Extension objects, created once here and bound to the app in create_app()."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from core.database import Database

db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
