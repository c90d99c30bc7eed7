"""The Progress Tracker: microproject workspaces, oversight, cases, Tracker uses, completion and
retention. Each module holds one of these; this package names what the API, the event handlers
and the CLI call."""

from .assessments import (
    add_assessment,
    add_goal,
    add_reflection,
    areas,
    assessments_of,
    credits_left_of,
    ensure_areas,
    goals_of,
    progress_of,
    reflections_of,
)
from .cases import (
    cases_of,
    open_case,
    require_writable,
    visible_case,
    withdraw_consent,
)
from .completion import complete, run_retention, sign_off
from .oversight import accept_oversight, assign_overseer, decline_oversight
from .workspaces import close_cancelled, list_stmt, open_workspace, set_hub, set_up

__all__ = [
    "accept_oversight",
    "add_assessment",
    "add_goal",
    "add_reflection",
    "areas",
    "assessments_of",
    "assign_overseer",
    "cases_of",
    "close_cancelled",
    "complete",
    "credits_left_of",
    "decline_oversight",
    "ensure_areas",
    "goals_of",
    "list_stmt",
    "open_case",
    "open_workspace",
    "progress_of",
    "reflections_of",
    "require_writable",
    "run_retention",
    "set_hub",
    "set_up",
    "sign_off",
    "visible_case",
    "withdraw_consent",
]
