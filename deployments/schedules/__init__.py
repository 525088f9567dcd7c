"""Schedules (spec/deployments.md §12.1): the three wire shapes, validated and normalised
(`shapes`), and the dates each produces (`dates`)."""
