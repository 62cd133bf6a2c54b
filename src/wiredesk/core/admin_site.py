"""The admin app with wiredesk's own site (``core.signin.StaffAdminSite``): the second
factor in its sign-in. Listed in INSTALLED_APPS in place of ``django.contrib.admin``;
the site class is imported only when the admin starts (it needs the auth models)."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "wiredesk.core.signin.StaffAdminSite"
