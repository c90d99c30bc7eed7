"""The service layer: what views and other modules call. Functions here read and write through
db.session and add outbox events, but never commit: the caller (a view, a CLI command, a
consumer) owns the transaction, so a change and its event share one commit."""
