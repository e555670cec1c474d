"""One module per step of the on-site walk-through; each page shows a ``CaseSnapshot`` and acts through the
workspace (store calls on the store's worker thread)."""
