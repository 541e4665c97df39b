"""Validate stage: Great Expectations suites (under ``schemas/expectations``) run per run,
over chunks of its batches, and the run's GX Data Docs."""
