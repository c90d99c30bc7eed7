"""A small questionnaire engine shared by training and cic-tracker.

Content (questions, answer scales, sections, bands) is data an admin loads from a JSON or
YAML file (`flask questionnaires load FILE`); each load is a new, immutable version, so a
later version never alters answers given to an earlier one. Scoring is by section.

    content.py   parse and validate a content document (pure)
    scoring.py   check answers against a version, score sections, pick bands (pure)
    models.py    QuestionnaireVersionMixin, QuestionnaireAnswersMixin (declarative mixins)
    store.py     install a version, find the current one (needs a session)
    cli.py       `flask questionnaires load FILE | list`

Each service keeps its own versions in its own database: nothing here crosses the boundary.
"""

from .content import ContentError, checksum, parse_document, read_file  # noqa: F401
from .scoring import AnswerErrors, check_answers, score  # noqa: F401
