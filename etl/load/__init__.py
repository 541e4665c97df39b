"""Load stage: schema migrations, run-scoped Parquet staging and the partition loader."""
