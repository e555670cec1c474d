"""Reusable widgets: signature pad, photo viewer, busy dialog, error display."""
