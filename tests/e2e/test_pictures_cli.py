"""`wiredesk pictures fetch` and `pictures list`, run as real processes: ingest records the
picture, the command stores it, and the page names only our copy."""

import subprocess

import pytest

from tests import pictureserver as pics
from tests.e2e.processes import WIREDESK, run_django

pytestmark = pytest.mark.e2e


@pytest.fixture
def run(data_dir):
    def _run(*args):
        return subprocess.run([WIREDESK, *args], capture_output=True, text=True,
                              env=data_dir.env, timeout=120)

    return _run


def feed(tmp_path, picture_url: str):
    path = tmp_path / "wire.rss"
    path.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Wire</title>
<link>https://wire.example.org/</link><description>t</description>
<item><title>Ferries return to the harbour</title><guid>f1</guid>
<link>https://wire.example.org/f1</link><pubDate>Fri, 11 Jul 2025 19:14:00 GMT</pubDate>
<description>Ferries returned to the harbour on Saturday morning after the storm.</description>
<media:content url="{picture_url}" medium="image" type="image/jpeg">
<media:credit>Wire Photos/Jo Doe</media:credit></media:content></item>
</channel></rss>""", encoding="utf-8")
    return path


def test_ingest_records_the_picture_and_the_command_stores_it(run, tmp_path, data_dir,
                                                              picture_server):
    picture_server.routes["/ferry.jpg"] = pics.jpeg((1600, 1000))
    assert run("ingest", str(feed(tmp_path, f"{picture_server.url}/ferry.jpg")),
               "--agency", "XIN").returncode == 0
    assert picture_server.requests == []  # ingest never fetched it
    listed = run("pictures", "list")
    assert listed.returncode == 0 and "1 pending, 0 ready, 0 failed" in listed.stdout

    fetched = run("pictures", "fetch")
    assert fetched.returncode == 0, fetched.stderr
    assert "1 picture(s) stored" in fetched.stdout
    assert picture_server.requests == ["/ferry.jpg"]
    assert "0 pending, 1 ready, 0 failed; 1 picture(s) stored" in run("pictures",
                                                                      "list").stdout
    files = sorted(p.name for p in (data_dir.path / "media" / "pictures").rglob("*.*"))
    assert len(files) == 8 and {f.rsplit(".", 1)[1] for f in files} == {"jpg", "webp"}
    assert run("pictures", "fetch").stdout.strip() == "no picture is due"
    page = run_django(
        "from django.test import Client; from wiredesk.newsroom.models import Article;"
        "from wiredesk.editions.services import edition_save;"
        "edition_save(name='Chile Sun', time_zone='UTC'); a = Article.objects.get();"
        "print(Client(HTTP_HOST='127.0.0.1').get(f'/chile-sun/news/{a.pk}/{a.slug}')"
        ".content.decode())",
        data_dir.env)
    assert "<picture>" in page and "/media/pictures/" in page
    assert picture_server.url not in page


def test_a_server_that_is_down_is_listed_with_its_error(run, tmp_path, data_dir):
    from tests.e2e.processes import free_port

    down = f"http://127.0.0.1:{free_port()}/gone.jpg"
    assert run("ingest", str(feed(tmp_path, down)), "--agency", "XIN").returncode == 0
    fetched = run("pictures", "fetch")
    assert fetched.returncode == 0 and "1 to retry" in fetched.stdout
    listed = run("pictures", "list").stdout
    assert "1 pending" in listed and down in listed and "error: cannot connect" in listed
