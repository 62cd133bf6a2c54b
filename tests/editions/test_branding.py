"""An edition's look: checked colours and fonts, safe pictures, and the stylesheet made
from them (its content, its name and how long it may be kept)."""

from __future__ import annotations

import io
import random
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.editions.brand_helpers import picture
from wiredesk.editions import brand_images, branding
from wiredesk.editions.brand import brand_of
from wiredesk.editions.models import Edition
from wiredesk.editions.services import EditionError, edition_brand_set, edition_save

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def edition():
    return edition_save(name="Chile Sun", time_zone="Australia/Sydney",
                        hosts=["chilesun.example"])


# -- values -------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["red", "#12345", "#1234567", "#ggg000", "#fff;}body{",
                                   "rgb(0,0,0)", "", "#12 456"])
def test_a_colour_is_a_hex_value_or_refused(value):
    with pytest.raises(branding.BrandValueError, match="not a colour"):
        branding.parse_colour(value)


def test_hex_colours_are_normalised():
    assert branding.parse_colour("#ABC") == "#aabbcc"
    assert branding.parse_colour(" 0B3D91 ") == "#0b3d91"


def test_contrast_follows_wcag():
    assert branding.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert branding.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert branding.contrast("#ffffff", "#ffffff") == pytest.approx(1)


def test_low_contrast_is_refused_for_text_links_and_the_masthead():
    problems = branding.contrast_problems(branding.Colours(
        text="#999999", accent="#ffcc00", brand="#aaaaaa", background="#ffffff"))
    assert set(problems) == {"text", "accent", "brand"}
    assert "4.5:1" in problems["text"] and "2.85:1" in problems["text"]
    # Readable sets pass, including a dark background with light text.
    assert branding.contrast_problems(branding.Colours(
        text="#f1f1f1", accent="#ffb347", brand="#ffffff", background="#121212")) == {}
    assert branding.contrast_problems(branding.Colours()) == {}


def test_every_derived_colour_stays_readable():
    """Whatever readable set an operator picks, muted text and panels stay readable too."""
    rng = random.Random(15)
    checked = 0
    while checked < 300:
        colours = branding.Colours(*(f"#{rng.randrange(1 << 24):06x}" for _ in range(4)))
        if branding.contrast_problems(colours):
            continue
        checked += 1
        p = branding.palette(colours)
        for fg, bg in ((p.ink, p.bg), (p.accent, p.bg), (p.brand, p.bg), (p.muted, p.bg),
                       (p.ink, p.soft), (p.accent, p.soft), (p.muted, p.soft),
                       (p.on_accent, p.accent)):
            assert branding.contrast(fg, bg) >= 4.5, (colours, p)


def test_an_edition_without_settings_keeps_the_shipped_look():
    css = branding.brand_css(branding.Colours(), "serif", "serif")
    site = {"--ink": "#1b1b1b", "--muted": "#5c5c5c", "--accent": "#a4161a",
            "--line": "#e2e2e2", "--soft": "#f6f4f0", "--bg": "#ffffff"}
    for name, value in site.items():
        assert f"{name}: {value};" in css


@pytest.mark.parametrize("value", ["comic-sans", "serif; } body { x", "Georgia", ""])
def test_only_the_safe_font_list_is_accepted(value):
    with pytest.raises(branding.BrandValueError, match="not one of the fonts"):
        branding.parse_font(value)


# -- the service and the model ------------------------------------------------------------

@pytest.mark.parametrize("changes, message", [
    ({"brand_color": "blue"}, "brand colour: 'blue' is not a colour"),
    ({"text_color": "#cccccc"}, "text colour: the text colour #cccccc on the background "
                                "#ffffff has a contrast of 1.61:1"),
    ({"accent_color": "#fff", "background_color": "#fafafa"}, "at least 4.5:1 (WCAG AA)"),
    ({"font_body": "papyrus"}, "body font: 'papyrus' is not one of the fonts"),
    ({"sender_address": "not an address"}, "Enter a valid email address"),
    ({"template_folder": "../etc"}, "one folder name"),
])
def test_bad_settings_are_refused_with_a_clear_message(edition, changes, message):
    with pytest.raises(EditionError, match=re.escape(message)):
        edition_brand_set(edition, **changes)
    edition.refresh_from_db()
    assert (edition.brand_color, edition.text_color, edition.font_body) == ("", "", "serif")


def test_good_settings_are_kept_normalised(edition):
    edition_brand_set(edition, brand_color="0B3D91", accent_color="#1d4ed8",
                      font_body="SANS", font_headings="transitional")
    edition.refresh_from_db()
    assert (edition.brand_color, edition.font_body) == ("#0b3d91", "sans")
    edition_brand_set(edition, brand_color="")  # back to the default
    assert Edition.objects.get(pk=edition.pk).brand_color == ""


def test_model_validation_refuses_low_contrast(edition):
    from django.core.exceptions import ValidationError

    edition.accent_color = "#eeeeee"
    with pytest.raises(ValidationError) as caught:
        edition.full_clean()
    assert "accent_color" in caught.value.message_dict


@pytest.mark.parametrize("data, message", [
    (b"", "the logo file is empty"),
    (b"GIF89a" + b"\0" * 100, "not an image"),
    (b"just some text, not a picture", "not an image"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)'
     b"</script></svg>", "SVG is not accepted"),
    (b"  <svg onload='alert(1)'/>", "SVG is not accepted"),
    (b"\x89PNG" + b"\0" * (3 * 1024 * 1024), "larger than 2 MB"),
    (picture(8, 8), "too small"),
    (picture(6000, 20), "too large"),
    (picture(200, 100, fmt="GIF"), "GIF images are not accepted"),
    (picture(200, 100)[:60], "damaged"),
])
def test_a_logo_that_is_not_a_safe_picture_is_refused(edition, data, message):
    with pytest.raises(EditionError, match=message):
        edition_brand_set(edition, logo=data)
    assert Edition.objects.get(pk=edition.pk).logo == ""


def test_a_decompression_bomb_is_refused_before_decoding(edition):
    bomb = io.BytesIO()
    Image.new("1", (4000, 4000)).save(bomb, format="PNG")  # 16 Mpx in a few kB
    with pytest.raises(EditionError, match="too large"):
        edition_brand_set(edition, logo=bomb.getvalue())


def test_a_logo_is_re_encoded_without_anything_from_the_upload(edition, media):
    upload = picture(1600, 400, text_chunk="<script>x</script>", exif_gps=True)
    assert b"script" in upload and b"secret" in upload and b"eXIf" in upload
    edition_brand_set(edition, logo=upload, logo_dark=picture(300, 100, fmt="WEBP"))
    edition.refresh_from_db()
    stored = media / "brand" / edition.logo
    data = stored.read_bytes()
    assert re.fullmatch(r"[0-9a-f]{24}\.png", edition.logo)
    assert b"script" not in data and b"secret" not in data and b"eXIf" not in data
    image = Image.open(stored)
    assert image.format == "PNG" and image.size == (576, 144)  # within 720x144
    assert (edition.logo_width, edition.logo_height) == (576, 144)
    assert Image.open(media / "brand" / edition.logo_dark).format == "PNG"
    assert not image.info.get("Comment") and "exif" not in image.info


def test_an_icon_makes_the_favicon_and_touch_icons(edition, media):
    with pytest.raises(EditionError, match="at least 180x180"):
        edition_brand_set(edition, icon=picture(64, 64))
    edition_brand_set(edition, icon=picture(300, 200, fmt="JPEG"))
    stem = Edition.objects.get(pk=edition.pk).icon
    folder = media / "brand"
    assert Image.open(folder / f"{stem}-32.png").size == (32, 32)
    assert Image.open(folder / f"{stem}-180.png").size == (180, 180)
    assert (folder / f"{stem}.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    edition_brand_set(edition, remove=["icon"])
    assert Edition.objects.get(pk=edition.pk).icon == ""


# -- the stylesheet -----------------------------------------------------------------------

def test_brand_css_is_made_only_of_checked_values(client, edition):
    edition_brand_set(edition, brand_color="#0b3d91", accent_color="#1d4ed8",
                      text_color="#14213d", background_color="#f5f8fc",
                      font_body="sans", font_headings="mono")
    brand = brand_of(Edition.objects.get(pk=edition.pk))
    response = client.get(f"/chile-sun/{brand.css_name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    css = response.content.decode()
    for line in ("--brand: #0b3d91;", "--accent: #1d4ed8;", "--ink: #14213d;",
                 "--bg: #f5f8fc;", "--font-body: system-ui,", "--font-head: ui-monospace,"):
        assert line in css
    declarations = re.findall(r"^  (--[a-z-]+): (.+);$", css, flags=re.M)
    assert len(declarations) == 10
    for name, value in declarations:
        if name.startswith("--font"):
            assert value in {stack for _label, stack in branding.FONT_STACKS.values()}
        else:
            assert re.fullmatch(r"#[0-9a-f]{6}", value), (name, value)


def test_a_value_written_around_the_checks_never_reaches_the_stylesheet(client, edition):
    # Seven characters: what the column holds on PostgreSQL (SQLite would take more).
    Edition.objects.filter(pk=edition.pk).update(brand_color="red;}a{", font_body="x;}")
    css = client.get("/chile-sun/brand.css").content.decode()
    assert "red;}" not in css and "x;}" not in css
    assert css == branding.brand_css(branding.Colours(), "serif", "serif")


def test_brand_css_is_kept_for_good_under_its_hash_and_renamed_on_change(client, edition):
    home = client.get("/chile-sun/").content.decode()
    (name,) = re.findall(r'href="/chile-sun/(brand\.[0-9a-f]{12}\.css)"', home)
    hashed = client.get(f"/chile-sun/{name}")
    assert hashed["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "ETag" not in hashed  # not a page: the page cache leaves it alone
    on_host = client.get(f"/{name}", HTTP_HOST="chilesun.example")
    assert on_host.status_code == 200 and on_host.content == hashed.content
    plain = client.get("/chile-sun/brand.css")
    lifetime = int(re.search(r"max-age=(\d+)", plain["Cache-Control"]).group(1))
    assert "immutable" not in plain["Cache-Control"] and 0 < lifetime <= 300
    assert plain.content == hashed.content

    edition_brand_set(edition, accent_color="#1d4ed8")
    home = client.get("/chile-sun/").content.decode()
    (renamed,) = re.findall(r'href="/chile-sun/(brand\.[0-9a-f]{12}\.css)"', home)
    assert renamed != name
    assert "#1d4ed8" in client.get(f"/chile-sun/{renamed}").content.decode()
    stale = client.get(f"/chile-sun/{name}")  # a page cached elsewhere still gets a sheet
    assert stale.status_code == 200 and "immutable" not in stale["Cache-Control"]
    assert client.get("/no-such-edition/brand.css").status_code == 404


def test_brand_files_are_served_by_their_hash_only(client, edition, media):
    edition_brand_set(edition, logo=picture())
    edition.refresh_from_db()
    response = client.get(f"/media/brand/{edition.logo}")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "immutable" in response["Cache-Control"]
    (media / "brand" / "notes.txt").write_text("private")
    for name in ("notes.txt", "..%2Fsecret_key", "%2E%2E", edition.logo.upper()):
        assert client.get(f"/media/brand/{name}").status_code == 404, name


# -- the admin ----------------------------------------------------------------------------

def admin_form(edition: Edition, **changes) -> dict:
    data = {"name": edition.name, "slug": edition.slug, "tagline": edition.tagline,
            "time_zone": edition.time_zone, "language": edition.language,
            "position": edition.position, "font_body": "serif", "font_headings": "serif",
            "brand_color": "", "accent_color": "", "text_color": "", "background_color": "",
            "sender_name": "", "sender_address": "", "template_folder": ""}
    for prefix, count in (("hosts", edition.hosts.count()), ("pages", 0),
                          ("footer_links", 0)):
        data.update({f"{prefix}-TOTAL_FORMS": str(count), f"{prefix}-INITIAL_FORMS": str(count),
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    for i, host in enumerate(edition.hosts.all()):
        data.update({f"hosts-{i}-id": str(host.pk), f"hosts-{i}-edition": str(edition.pk),
                     f"hosts-{i}-host": host.host})
    data.update(changes)
    return data


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("editor", "e@example.org", "pw-123456")
    client.force_login(user)
    return client


def test_the_admin_sets_colours_fonts_and_pictures(editor, edition, media):
    url = f"/admin/editions/edition/{edition.pk}/change/"
    assert editor.get(url).status_code == 200
    assert editor.get("/admin/editions/edition/add/").status_code == 200
    refused = editor.post(url, admin_form(
        edition, text_color="#dddddd",
        logo_upload=SimpleUploadedFile("logo.svg", b"<svg onload='x'/>", "image/svg+xml")))
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "contrast of 1.36:1" in html and "SVG is not accepted" in html
    assert Edition.objects.get(pk=edition.pk).text_color == ""

    saved = editor.post(url, admin_form(
        edition, brand_color="#0b3d91", font_headings="humanist",
        sender_address="desk@chilesun.example",
        logo_upload=SimpleUploadedFile("logo.png", picture(400, 100), "image/png"),
        icon_upload=SimpleUploadedFile("icon.webp", picture(256, 256, fmt="WEBP"),
                                       "image/webp")))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    edition.refresh_from_db()
    assert (edition.brand_color, edition.font_headings) == ("#0b3d91", "humanist")
    assert edition.sender_address == "desk@chilesun.example"
    assert (media / "brand" / edition.logo).is_file() and edition.icon
    page = editor.get(url).content.decode()
    assert f"/media/brand/{edition.logo}" in page  # the current pictures are shown

    editor.post(url, admin_form(edition, brand_color="#0b3d91", font_headings="humanist",
                                remove_logo="on"))
    assert Edition.objects.get(pk=edition.pk).logo == ""


def test_the_page_cache_hears_of_a_new_look(client, edition, settings):
    settings.WIREDESK_PAGE_CACHE = True
    first = client.get("/chile-sun/").content
    assert client.get("/chile-sun/")["X-Cache"] == "HIT"
    edition_brand_set(edition, logo=picture())
    again = client.get("/chile-sun/")
    assert again["X-Cache"] == "MISS" and again.content != first
    assert brand_images.NAME.match(Edition.objects.get(pk=edition.pk).logo)
