"""The demo mailbox's routes (urls.py mounts them for ``wiredesk demo`` only)."""

from django.urls import path

from wiredesk.demo import views

mailbox_patterns = [
    path("_mail/", views.mailbox_index, name="mailbox"),
    path("_mail/<str:message_id>/", views.mailbox_message, name="mailbox-message"),
    path("_mail/<str:message_id>/html", views.mailbox_message_html, name="mailbox-html"),
]
