"""Validate stage: Great Expectations suites (under ``schemas/expectations``) run per batch."""
