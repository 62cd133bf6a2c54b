"""`wiredesk extract` and `wiredesk article kill`, run as real processes."""

import json
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import rss, rss_item
from tests.e2e.processes import WIREDESK

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Bridge opens | Paper</title>
<meta name="author" content="Rosa Diaz">
<meta property="article:published_time" content="2025-07-12T08:00:00+02:00"></head>
<body><nav>Home World Sport</nav><article><h1>Bridge opens</h1>
<p>The new bridge over the river opened to traffic on Saturday after four years of work,
the city’s mayor said at a ceremony.</p>
<p>Drivers queued from dawn to cross, and the mayor called it “a promise kept” for the
<a href="/east">eastern
districts</a>.</p></article></body></html>"""


@pytest.fixture
def run(data_dir):
    env = data_dir.env

    def _run(*args):
        return subprocess.run([WIREDESK, *args], capture_output=True, text=True, env=env,
                              timeout=120)

    return _run


@pytest.fixture
def served(tmp_path):
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_extract_json_from_file_and_url(run, tmp_path, served):
    path = tmp_path / "page.html"
    url = f"{served}/page.html"
    result = run("extract", str(path), url, "--json")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().split("\n")
    assert len(lines) == 2
    for line, source in zip(lines, [str(path), url], strict=True):
        page = json.loads(line)
        assert set(page) == {"source", "title", "author", "published", "text"}
        assert page["source"] == source
        assert page["title"] == "Bridge opens"
        assert page["author"] == "Rosa Diaz"
        assert page["published"] == "2025-07-12T06:00:00+00:00"
        paragraphs = page["text"].split("\n\n")
        assert paragraphs[0].startswith("The new bridge")
        assert paragraphs[1].endswith("“a promise kept” for the eastern districts.")
        assert "Home" not in page["text"]


def test_extract_errors_are_one_line_and_exit_2(run, tmp_path):
    result = run("extract", str(tmp_path / "missing.html"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "missing.html" in result.stderr


def test_article_kill_command(run, tmp_path):
    feed = tmp_path / "wire.rss"
    feed.write_bytes(rss(rss_item("g1", "To be withdrawn")))
    assert run("ingest", str(feed), "--agency", "RFE").returncode == 0
    result = run("article", "kill", "1", "--reason", "legal advice")
    assert result.returncode == 0, result.stderr
    assert "killed" in result.stdout and "legal advice" in result.stdout
    again = run("ingest", str(feed), "--agency", "RFE")
    assert "0 new" in again.stdout
    missing = run("article", "kill", "999", "--reason", "x")
    assert missing.returncode == 2 and "no article" in missing.stderr
