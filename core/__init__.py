"""The foundation every stage imports: clock, settings and configuration loading.

- ``clock``: real and simulated clocks, Beijing-time helpers;
- ``vocabulary``: the fixed lists every layer names (agency levels, severity grades, alert
  levels, obligation kinds, roles, document types), each written once;
- ``settings``: the schema of ``yuqing.yaml`` (and every section's names re-exported), with
  ``settings_base`` (durations, strict models, located errors), ``settings_rules`` and
  ``settings_notifiers`` (one model per type: the type registries), ``settings_obligations``
  (deadlines, holidays, the agency) and ``settings_reports``;
- ``config``: reading the file, ``${ENV}`` substitution, errors with file, line and key;
- ``passwords``: the dashboard users' password hashes.
"""
