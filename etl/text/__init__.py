"""Text stage: cleaning, sentence splitting, tokenization and term counting.

Every function here is pure (text in, values out), so the stage is tested without any I/O.
"""
