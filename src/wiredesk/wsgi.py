import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiredesk.settings")
django_application = get_wsgi_application()

from wiredesk.publishing.fastpath import CachedPages  # noqa: E402  (needs the settings)

# Cached public pages are answered before Django (publishing/fastpath.py).
application = CachedPages(django_application)
