"""A pure-Python stand-in for MMIS: the eligibility validator and the 834 writer.

Nothing in this package touches the database or reads the clock: callers pass in plain
frozen dataclasses and today's date.
"""
