"""The alert stage: rules, obligations with deadlines, and notification through an outbox.

- ``calendar``: working days on the official Chinese calendar;
- ``deadlines``: one class per obligation kind, ``due(kind, trigger, settings, level)``;
- ``rules`` / ``volume_rules``: one class per rule type;
- ``stage``: ``evaluate(archive, settings, clock)``, the pipeline step;
- ``notify`` / ``notifiers``: ``deliver_due(archive, settings, clock)`` and the notifier types;
- ``obligations``: acknowledge, complete, waive, assign, reopen, add_manual (CLI and dashboard);
- ``defaults``: the starter rule set.
"""
