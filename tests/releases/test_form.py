"""The submission form as a submitter first sees it: nothing chosen for them, every rule
of the body spelled out, every field described to assistive technology."""

from __future__ import annotations

import html
import re

import pytest

from tests.releases.conftest import form_data
from wiredesk.releases.content import BODY_HELP
from wiredesk.releases.models import Release

pytestmark = pytest.mark.django_db


def category_select(page: str) -> str:
    return re.search(r'<select name="category".*?</select>', page, re.S).group(0)


def test_no_section_is_chosen_for_the_submitter(client, editions):
    page = client.get("/chile-sun/releases/submit").content.decode()
    select = category_select(page)
    options = re.findall(r"<option[^>]*>[^<]*</option>", select)
    assert options[0] == '<option value="" selected>Choose a section</option>'
    assert all("selected" not in option for option in options[1:])
    assert " required" in select.split(">", 1)[0]


def test_a_release_without_a_section_is_refused_with_a_clear_message(client, editions):
    chile, _euro = editions
    response = client.post("/chile-sun/releases/submit", form_data(chile, category=""))
    assert response.status_code == 200
    page = response.content.decode()
    field = re.search(r'<div class="field has-error" id="field-category">.*?</div>\s*</div>',
                      page, re.S).group(0)
    assert "Choose the section your release belongs in." in field
    assert not Release.objects.exists()
    # everything else typed is kept, and still nothing is chosen for them
    assert "Rowing club opens new boathouse" in page
    assert '<option value="" selected>Choose a section</option>' in category_select(page)


def test_the_body_field_says_what_is_kept_and_is_described_by_it(client, editions):
    page = client.get("/chile-sun/releases/submit").content.decode()
    textarea = re.search(r"<textarea[^>]*>", page).group(0)
    assert 'aria-describedby="id_body_helptext"' in textarea
    help_text = re.search(r'<p class="help" id="id_body_helptext">(.*?)</p>', page).group(1)
    assert html.unescape(help_text) == BODY_HELP
    assert "Bold, italic, lists and links are kept" not in page
