"""Service functions: one unit of work each, called by a thin view or an event handler.
They add to the session and raise ApiError/RuleViolation; the caller commits."""
