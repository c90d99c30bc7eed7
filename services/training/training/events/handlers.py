"""Integration events training consumes: an explicit map of type -> handler.

Handlers get (session, envelope), write through the session and never commit: the
consumer commits the handler's writes together with the inbox row (exactly-once effect).
"""

HANDLERS: dict = {}
