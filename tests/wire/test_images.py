"""wire.images: an agency's picture re-encoded into widths, whatever the bytes try."""

import io

import pytest
from PIL import Image

from tests import pictureserver as pics
from wiredesk.wire.images import (
    PictureRejected,
    content_hash,
    make_renditions,
    rendition_widths,
)

MAX = 40_000_000


def opened(rendition):
    return Image.open(io.BytesIO(rendition.data))


def jpegs(made):
    return [r for r in made.items if r.mime_type == "image/jpeg"]


def test_every_width_in_jpeg_and_webp_never_upscaled():
    made = make_renditions(pics.jpeg((2000, 1333)), max_pixels=MAX)
    assert [(r.width, r.height, r.mime_type) for r in made.items] == [
        (320, 213, "image/jpeg"), (320, 213, "image/webp"),
        (640, 427, "image/jpeg"), (640, 427, "image/webp"),
        (1024, 682, "image/jpeg"), (1024, 682, "image/webp"),
        (1600, 1066, "image/jpeg"), (1600, 1066, "image/webp")]
    for rendition in made.items:
        image = opened(rendition)
        assert image.size == (rendition.width, rendition.height)
        assert image.format == ("WEBP" if rendition.mime_type == "image/webp" else "JPEG")
    assert (made.width, made.height) == (2000, 1333)
    assert made.source_sha256 == content_hash(pics.jpeg((2000, 1333)))


def test_a_small_picture_keeps_its_own_width():
    assert rendition_widths(800) == [320, 640, 800]
    assert rendition_widths(200) == [200]
    made = make_renditions(pics.jpeg((700, 400)), max_pixels=MAX, webp=False)
    assert [r.width for r in made.items] == [320, 640, 700]


@pytest.mark.parametrize("data", [b"<html><body>Not found</body></html>", b"",
                                  b"\xff\xd8\xff\xe0" + b"\x00" * 50],
                         ids=["html", "empty", "truncated-jpeg"])
def test_what_is_not_a_picture_is_refused(data):
    with pytest.raises(PictureRejected):
        make_renditions(data, max_pixels=MAX)


def test_a_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(PictureRejected, match="decompression bomb"):
        make_renditions(pics.png_bomb(), max_pixels=MAX)


def test_too_many_pixels_for_the_cap_is_refused():
    with pytest.raises(PictureRejected, match="too large"):
        make_renditions(pics.jpeg((3000, 2000)), max_pixels=5_000_000)


def test_a_tiny_picture_is_an_icon_not_news():
    with pytest.raises(PictureRejected, match="too small"):
        make_renditions(pics.jpeg((60, 40)), max_pixels=MAX)


def test_exif_rotation_is_applied_and_gps_and_comments_are_gone():
    source = pics.rotated_with_gps()
    assert pics.SECRET in source and Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)
    made = make_renditions(source, max_pixels=MAX)
    assert (made.width, made.height) == (200, 400)  # upright: taller than wide
    for rendition in made.items:
        image = opened(rendition)
        assert image.size == (200, 400)
        assert pics.SECRET not in rendition.data and b"Exif" not in rendition.data
        assert not image.getexif() and "icc_profile" not in image.info
    # Stored right half blue; turned upright (90 degrees clockwise) it is the bottom half.
    upright = opened(jpegs(made)[0]).convert("RGB")
    top, bottom = upright.getpixel((100, 50)), upright.getpixel((100, 350))
    assert top[0] > 200 and top[2] < 60, top
    assert bottom[2] > 200 and bottom[0] < 60, bottom


def test_cmyk_becomes_rgb_with_its_colours():
    made = make_renditions(pics.cmyk_jpeg(), max_pixels=MAX)
    image = opened(jpegs(made)[0])
    assert image.mode == "RGB"
    assert min(image.getpixel((10, 10))) > 240  # white, not inverted black


def test_sixteen_bit_grey_is_scaled_not_clipped_to_white():
    made = make_renditions(pics.png16(40000), max_pixels=MAX)
    grey = opened(jpegs(made)[0]).getpixel((10, 10))
    assert all(abs(channel - 40000 // 256) <= 3 for channel in grey), grey


def test_an_animation_gives_its_first_frame():
    made = make_renditions(pics.animated_gif(), max_pixels=MAX)
    for rendition in made.items:
        image = opened(rendition)
        assert getattr(image, "n_frames", 1) == 1
        red, _green, blue = image.convert("RGB").getpixel((10, 10))
        assert red > 200 and blue < 60


def test_transparency_is_laid_over_white():
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 0, 0, 0)).save(out, "PNG")
    made = make_renditions(out.getvalue(), max_pixels=MAX)
    assert min(opened(jpegs(made)[0]).getpixel((5, 5))) > 240


def test_a_large_jpeg_is_decoded_at_reduced_scale():
    # 6000x4000 decoded at 1/2 scale at most: the widest rendition is still 1600.
    made = make_renditions(pics.jpeg((6000, 4000)), max_pixels=MAX, webp=False)
    assert [r.width for r in made.items] == [320, 640, 1024, 1600]
    assert (made.width, made.height) == (6000, 4000)
