"""Helpers for the whole-system tests (importable thanks to `pythonpath = tests` in pytest.ini)."""
