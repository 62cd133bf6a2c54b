"""The desk's pages under /desk/: every one staff only, behind the admin's sign-in (and its
second factor), through ``admin.site.admin_view``; each view checks its own permission."""

from django.contrib import admin
from django.urls import path

from wiredesk.desk import articles, fronts, media, schedule, views, write


def staff(view):
    return admin.site.admin_view(view)


desk_patterns = [
    path("", staff(views.home), name="home"),
    path("audit/", staff(views.audit_log), name="audit-log"),
    path("schedule/", staff(schedule.schedule_list), name="schedule"),
    path("articles/<int:article_id>/schedule/", staff(schedule.article_schedule),
         name="article-schedule"),
    path("articles/<int:article_id>/schedule/cancel/", staff(schedule.cancel),
         name="schedule-cancel"),
    path("fronts/", staff(fronts.fronts_index), name="fronts"),
    path("fronts/<slug:edition_slug>/", staff(fronts.front_editor), name="front"),
    path("fronts/<slug:edition_slug>/<slug:section_slug>/", staff(fronts.front_editor),
         name="section-front"),
    path("write/", staff(write.write), name="write"),
    path("write/<int:article_id>/", staff(write.write), name="write-draft"),
    path("write/<int:article_id>/preview/<slug:edition_slug>/", staff(write.preview),
         name="write-preview"),
    path("media/", staff(media.media_library), name="media"),
    path("articles/", staff(articles.desk_edited), name="articles-edited"),
    path("articles/<int:article_id>/", staff(articles.article_edit), name="article-edit"),
    path("articles/<int:article_id>/agency-update/", staff(articles.agency_update),
         name="article-agency-update"),
    path("articles/<int:article_id>/restore/<int:revision_id>/", staff(articles.restore),
         name="article-restore"),
]
