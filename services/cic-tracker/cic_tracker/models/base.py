"""Column helpers used by every model (imatter_shared.db_base), next to this service's `db`.

`utcnow` is the default of the naive-UTC DateTime columns (imatter_shared.timeutil)."""

from __future__ import annotations

from imatter_shared.db_base import created_column, id_column, new_id
from imatter_shared.timeutil import naive_utcnow as utcnow

from ..extensions import db

__all__ = ["db", "new_id", "utcnow", "id_column", "created_column"]
