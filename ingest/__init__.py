"""Feed ingestion: landing-zone files → typed rows in ``raw.<feed>`` (COPY) or quarantine."""
