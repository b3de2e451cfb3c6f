"""Readers of upstream data formats, as they are published. Plain Python, no Django."""
