"""A blueprint package for the tests: templates/ and static/ beside this file."""
