"""The Flask extensions the standalone shell sets up (Preheat reuses them)."""
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class ShellBase(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=ShellBase)
login_manager = LoginManager()
csrf = CSRFProtect()
