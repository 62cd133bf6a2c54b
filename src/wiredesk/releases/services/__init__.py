"""Writes for news releases: submit, verify, edit, approve, reject, mark as spam.

The admin, the public views and the CLI all call these, so a decision taken in
the terminal does exactly what the same decision in the admin does, mail included.
Mail goes out after the transaction commits; what it did is added to the history.

``submission`` takes a release in and confirms its address, ``moderation`` holds the
editor's edits and refusals, ``publishing`` turns an approved release into an article,
``history`` records who did what and mails the submitter, ``links`` makes the signed
links that mail carries. The public names are re-exported here.
"""

from wiredesk.releases.services.history import Actor, ReleaseError
from wiredesk.releases.services.links import (
    article_urls,
    image_url,
    release_from_token,
    status_token,
    status_url,
    verify_token,
    verify_url,
)
from wiredesk.releases.services.moderation import release_edit, release_mark_spam, release_reject
from wiredesk.releases.services.publishing import (
    AGENCY_CODE,
    AGENCY_NAME,
    CATEGORY_SECTIONS,
    publication_edition,
    release_agency,
    release_approve,
    wire_item,
)
from wiredesk.releases.services.submission import (
    Submission,
    delete_image_file,
    release_images_prune,
    release_submit,
    release_verify,
)

__all__ = [
    "AGENCY_CODE",
    "AGENCY_NAME",
    "CATEGORY_SECTIONS",
    "Actor",
    "ReleaseError",
    "Submission",
    "article_urls",
    "delete_image_file",
    "image_url",
    "publication_edition",
    "release_agency",
    "release_approve",
    "release_edit",
    "release_from_token",
    "release_images_prune",
    "release_mark_spam",
    "release_reject",
    "release_submit",
    "release_verify",
    "status_token",
    "status_url",
    "verify_token",
    "verify_url",
    "wire_item",
]
