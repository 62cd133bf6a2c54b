"""Full-text search over what each edition carries: SQLite FTS5 or PostgreSQL, one backend each."""
