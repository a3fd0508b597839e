"""District oversight: read-only views, evaluation and exports across streets."""
