"""Static mode: the ``publish --static`` copy kept current on every change (mirror.py)."""
