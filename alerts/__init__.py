"""The alert stage: rules, obligations with deadlines, and notification through an outbox.

``stage.evaluate(archive, settings, clock)`` turns rule matches into alerts, obligations and
queued messages; ``notify.deliver_due(archive, settings, clock)`` delivers the outbox. Both are
chains of small stages in Alertmanager's shape (read, rules, fire, mute, open, fulfil, notices,
dedup, reminders; group, send, record, retry); alerts/README.md maps every module.
"""
