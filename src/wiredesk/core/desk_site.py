"""The one place that names the desk: the admin site every app registers with."""

from wiredesk.core.signin import StaffAdminSite


class DeskAdminSite(StaffAdminSite):
    site_header = "wiredesk desk"
    site_title = "wiredesk desk"
    index_title = "The desk"
