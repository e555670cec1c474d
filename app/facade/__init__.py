"""The one door from the desktop UI into the core (docs/architecture.md 'The facade').

The UI (``app.ui``) never opens a session or a transaction and never reads a table: it calls the named operations
and read models here, each of which owns its session or transaction. Every function takes the open ``Store`` the
UI's ``Workspace`` hands to its worker-thread calls (``ws.run(page, lambda store: facade_call(store, ...))``):

- ``app.facade.case_view``: ``load_snapshot`` (everything the pages of one case show) and its plain data classes;
- ``app.facade.home``: ``load_home`` (the case list, what is due, the sync state);
- ``app.facade.sync``: ``load_sync_status``, ``case_labels``, ``remember_archive`` (the sync state the GUI keeps);
- ``app.facade.audits``: ``load_choices`` (parties, inspectors) and ``create_audit``;
- ``app.facade.steps``: ``step_action(name, ...)`` for every step action of the walk-through, ``save_case_fields``
  and ``close_case``.

No Qt here (``tests/test_layers.py``); the layer sits between ``app.workflow`` and the UI/CLI.
"""
