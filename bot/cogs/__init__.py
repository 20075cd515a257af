"""Cogs: one feature per file."""
