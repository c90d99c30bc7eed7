"""Service functions: one unit of work each, called by a thin view or an event handler.
They add to the session and raise domain errors (RuleViolation, InvalidInput, NotFound,
Forbidden from imatter_shared.web.errors, mapped to problem+json at the edge); the caller commits."""
