"""Support for wiredesk's own test suite (loaded by pytest, never by the product)."""
