"""The alert stage: rules, obligations with deadlines, and notification through an outbox.

- ``calendar``: working days on the official Chinese calendar (configured years, the
  chinesecalendar package, then a provisional fallback);
- ``deadlines``: one class per obligation kind, ``due(kind, trigger, settings, level)``;
- ``rule_base``: the contract of a rule type (``RuleInput`` in, ``Match`` out, filters);
- ``event_rules`` / ``post_rules`` / ``document_rules`` / ``volume_rules``: one class per rule
  type, each naming its settings model in ``core.settings_rules``;
- ``rules``: loads every type, checks each configurable type has its class, ``build_rule``;
- ``rulebook``: rule files validated per rule and re-read when they change;
- ``stage``: ``evaluate(archive, settings, clock)``, the pipeline step;
- ``silences``: muting matching alerts until an end time (configured or ``yuqing silence``);
- ``reminders``: reminders before deadlines and escalation of unacknowledged obligations;
- ``fulfilment``: obligations proposed as done when the agency's own notice is crawled;
- ``messages``: the Chinese text of every notification;
- ``notify`` / ``grouping`` / ``channel_health`` / ``notifiers``: ``deliver_due(archive,
  settings, clock)``, grouping of bursts, reports of failing channels, the notifier types;
- ``obligations`` / ``csv_import``: acknowledge, complete, waive, assign, reopen, add_manual
  and CSV import (CLI and dashboard);
- ``backtest``: a rule file over archived mentions in simulated time;
- ``defaults``: the starter rule set.
"""
