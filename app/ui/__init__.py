"""The PySide6 desktop UI. Importing it makes PySide6's import hook stop caching module sources (see
``app.ui.memory``) before the UI imports the store and the workflow."""

from app.ui.memory import scan_sources_without_caching

scan_sources_without_caching()
