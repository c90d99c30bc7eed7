"""Messaging between services: transactional outbox, relay, idempotent consumer and the
two transports (RabbitMQ, embedded SQLite). See docs/decisions/0001-messaging-interface.md.

    from imatter_shared.messaging import outbox            # outbox.add(session, Model, type, data, producer=...)
    from imatter_shared.messaging.models import OutboxMixin, InboxMixin
    from imatter_shared.messaging.cli import register_event_cli
"""
