"""The JSON API (django-ninja) with its OpenAPI 3 schema at /api/openapi.json."""
