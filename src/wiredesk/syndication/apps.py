from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "wiredesk.syndication"
    label = "syndication"
    verbose_name = "Syndication to partners"
