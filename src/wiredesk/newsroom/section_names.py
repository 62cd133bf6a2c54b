"""Section names in an edition's language.

Sections are shared rows (one "World" for every edition), so their names are stored once,
in English, as the operator or the demo typed them. The known default names below are
marked for translation (context "section"), so makemessages extracts them and each
catalogue translates them; a public page shows a section through ``section_label``, in the
language active for the page. A name the operator made up is not in any catalogue and is
shown as typed.
"""

from __future__ import annotations

from django.utils.translation import pgettext, pgettext_lazy

# The names the demo gives its sections (demo.SECTIONS), the usual ones of a newsroom.
# Marked, never read: what matters is that makemessages sees them.
KNOWN_SECTION_NAMES = (
    pgettext_lazy("section", "World"),
    pgettext_lazy("section", "Politics"),
    pgettext_lazy("section", "Business"),
    pgettext_lazy("section", "Sport"),
    pgettext_lazy("section", "Culture"),
    pgettext_lazy("section", "Weather"),
)


def section_label(name: str) -> str:
    """A section's name as a reader of the active language sees it."""
    if not name:  # gettext("") is the catalogue's header
        return name
    return pgettext("section", name)
