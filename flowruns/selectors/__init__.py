"""Selectors read. Views call these; they never build queries themselves."""
