"""What the cic-tracker API answers: each response schema dumps what its views return and is the
OpenAPI description of that answer (docs/decisions/0017-response-schemas.md). One module per
area; the views use them as `S.<Name>`."""

from .consultations import *  # noqa: F403
from .evaluation import *  # noqa: F403
from .fund import *  # noqa: F403
from .reflective import *  # noqa: F403
from .tracker import *  # noqa: F403
