"""The Progress Tracker: microproject workspaces, oversight, cases, Tracker uses, completion and
retention. Each module holds one of these; this package names what the API, the event handlers
and the CLI call."""

from .assessments import (
    add_assessment,
    add_goal,
    add_reflection,
    areas,
    assessment_view,
    case_detail,
    ensure_areas,
    goal_view,
    progress_of,
    reflection_view,
)
from .cases import (
    case_overview,
    case_view,
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
    "assessment_view",
    "assign_overseer",
    "case_detail",
    "case_overview",
    "case_view",
    "cases_of",
    "close_cancelled",
    "complete",
    "decline_oversight",
    "ensure_areas",
    "goal_view",
    "list_stmt",
    "open_case",
    "open_workspace",
    "progress_of",
    "reflection_view",
    "require_writable",
    "run_retention",
    "set_hub",
    "set_up",
    "sign_off",
    "visible_case",
    "withdraw_consent",
]
