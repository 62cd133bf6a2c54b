"""Django's SQLite backend, with each statement's placeholders converted once per text.

Set as the ENGINE of SQLite installations in ``settings.py`` (see ``base``).
"""
