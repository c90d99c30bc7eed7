"""Data-protection tooling shared by the services (each organisation runs it on its own):
column annotations, the record of processing, subject access and erasure, retention and the
breach register. See cli.py for the commands."""

from .annotations import LAWFUL_BASES, NOT_PII, annotate, parse_schedule, pii, problems, record_of_processing  # noqa: F401
from .breaches import BreachMixin  # noqa: F401
from .cli import register_dp_cli  # noqa: F401
from .subjects import SubjectTable  # noqa: F401
