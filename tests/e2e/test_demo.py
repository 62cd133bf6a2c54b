"""`wiredesk demo` as a user runs it: a real server process, read over HTTP."""

import os
import re
import signal
import subprocess
import time
import urllib.request

import pytest

from tests.conftest import make_data_dir
from tests.e2e.processes import WIREDESK, free_port

pytestmark = pytest.mark.e2e

def get(url: str, host: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    port = free_port()
    data_dir = make_data_dir(tmp_path_factory.mktemp("demo"))
    env = dict(data_dir.env)
    env.pop("WIREDESK_DATA_DIR")  # as a user runs it: the option names the directory
    process = subprocess.Popen([WIREDESK, "demo", "--port", str(port), "--data-dir",
                                str(data_dir.path)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("wiredesk demo exited early:\n" + process.stdout.read())
        try:
            if get(base + "/")[0] == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("wiredesk demo did not start in time")
    yield base
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def test_demo_serves_two_editions_with_every_element(demo_server):
    status, index = get(demo_server + "/")
    assert status == 200
    assert "Chile Sun" in index and "Euro Ledger" in index

    status, home = get(demo_server + "/chile-sun/")
    assert status == 200
    teasers = re.findall(r'<p class="lead">(.*?)</p>', home, re.S)
    assert len(teasers) >= 10
    assert any(t.strip().endswith("...") for t in teasers)
    for section in ("World", "Politics", "Business", "Sport"):
        assert f">{section}</a>" in home

    article_path = re.search(r'href="(/chile-sun/news/\d+/[\w-]+)"', home).group(1)
    status, article = get(demo_server + article_path)
    assert status == 200
    assert re.search(r"\d{2} \w{3} 20\d\d, \d{2}:\d{2} GMT\+1[01]", article)
    assert "SEE ALSO:" in article
    assert "Get a daily dose of Chile Sun news through our daily email" in article
    assert "submitting a news release to Chile Sun" in article
    assert "More Information" in article

    # the second edition has its own zone and section mix
    status, euro = get(demo_server + "/euro-ledger/")
    assert status == 200
    assert ">Sport</a>" not in euro
    assert "GMT+2" in euro

    # served on its own host name too
    status, by_host = get(demo_server + "/", host="chilesun.localhost")
    assert status == 200 and 'href="/news/' in by_host

    assert get(demo_server + "/chile-sun/news/999999/nothing")[0] == 404

    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', home).group(1)
    status, css = get(demo_server + stylesheet)
    assert status == 200 and ".see-also" in css


def test_the_same_story_from_two_agencies_shows_once(demo_server):
    _status, home = get(demo_server + "/chile-sun/")
    assert "UAE, India co-host UN side event" in home
    assert "UAE and India hold UN event on paying for desalination" not in home  # the WAM copy
    path = re.search(r'href="(/chile-sun/news/\d+/uae-india-co-host[\w-]*)"', home).group(1)
    _status, article = get(demo_server + path)
    assert "Also reported by" in article and "WAM" in article


def test_the_seed_example_time(demo_server):
    _status, home = get(demo_server + "/chile-sun/")
    assert "12 Jul 2025, 05:14 GMT+10" in home
