from django.apps import AppConfig


class DigestConfig(AppConfig):
    name = "wiredesk.digest"
    label = "digest"
    verbose_name = "Daily email digest"
