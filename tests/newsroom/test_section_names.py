"""Section names in the reader's language: the known defaults translated, the rest as typed."""

from __future__ import annotations

import pytest
from django.utils import translation

from wiredesk.newsroom.models import Section
from wiredesk.newsroom.section_names import section_label


@pytest.mark.parametrize(("language", "world", "culture"), [
    ("es", "Mundo", "Cultura"), ("ar", "العالم", "ثقافة"), ("en", "World", "Culture")])
def test_a_known_section_name_reads_in_the_active_language(language, world, culture):
    with translation.override(language):
        assert (section_label("World"), section_label("Culture")) == (world, culture)


def test_an_operator_made_name_is_shown_as_typed():
    with translation.override("es"):
        assert section_label("Harbour Works") == "Harbour Works"
        assert section_label("") == ""  # not the catalogue's header


def test_the_sections_display_name_is_its_label():
    section = Section(slug="weather", name="Weather")
    with translation.override("es"):
        assert section.display_name == "Tiempo"
    assert str(section) == "Weather"  # the stored name is unchanged: desk and API use it
