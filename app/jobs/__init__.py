"""Long work in the background (imports, large reports), with its progress shown on a page."""
