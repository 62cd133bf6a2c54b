"""The admin app with wiredesk's own site: the desk (``core.desk_site.DeskAdminSite``),
branded wiredesk, with the second factor in its sign-in (``core.signin.StaffAdminSite``).

``DeskAdminConfig`` takes the place of ``django.contrib.admin`` in INSTALLED_APPS, so
``admin.site`` and every ``@admin.register`` use it. The site class is named by path and
imported only when the admin starts (it needs the auth models). The stylesheet (static
``wiredesk/admin.css``) and the search box's autofocus come from the templates in
``templates/admin/``: no script, nothing from another host.
"""

from django.contrib.admin.apps import AdminConfig


class DeskAdminConfig(AdminConfig):
    default_site = "wiredesk.core.desk_site.DeskAdminSite"
