"""The demo mailbox's routes alone (wiredesk.urls is left as the setting made it)."""

from wiredesk.demo.urls import mailbox_patterns

urlpatterns = mailbox_patterns
