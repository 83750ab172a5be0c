"""Feed-specific hooks named by contracts (``reader:`` / ``derive:``); see ingest/hooks.py."""
