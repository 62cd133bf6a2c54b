"""The pure pipeline: bytes in, clean WireItems out.

Nothing in this package imports Django, the apps or touches a database; an
import-linter contract in pyproject.toml (checked by the test suite) keeps it so.
"""
