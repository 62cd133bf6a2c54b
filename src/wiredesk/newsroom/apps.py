from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "wiredesk.newsroom"
    label = "newsroom"
    verbose_name = "Newsroom"
