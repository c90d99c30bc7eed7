from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from imatter_shared.db_base import naming_metadata

db = SQLAlchemy(metadata=naming_metadata())  # named constraints: decision 0042
migrate = Migrate()
