"""Checking the input a paused run is resumed with (spec/api.md §6.9)."""
