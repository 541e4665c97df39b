"""Ingest stage: find raw files in a landing zone, read and decode them, and recognise what the
warehouse has already seen (the ledger). Bad files become quarantine rows, never exceptions."""
