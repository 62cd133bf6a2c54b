"""The wire-health page, its /metrics gauges and the watch-feeds log line, from real
items ingested by real polls at controlled times."""

import logging
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from tests.conftest import rss, rss_item
from wiredesk.core.taskqueue import PERIODIC, Idle
from wiredesk.jobs import default_jobs
from wiredesk.newsroom import services
from wiredesk.ops.models import FeedSilence
from wiredesk.ops.wire_health import feed_health, watch_feeds

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
WORDS = ["harbour", "senate", "drought", "orchestra", "vaccine", "railway", "glacier",
         "election", "bakery", "satellite", "fishery", "museum"]


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    """Every ``timezone.now()`` (arrival times, poll records) reads this clock."""
    clock = Clock(T0)
    with mock.patch("django.utils.timezone.now", clock):
        yield clock


class Wire:
    """A feed file that receives one new item per poll."""

    def __init__(self, tmp_path, clock, name, every=timedelta(minutes=10)):
        self.path = tmp_path / f"{name}.rss"
        self.path.write_bytes(rss(""))
        self.clock = clock
        agency = services.agency_ensure(code=name.upper()[:8])
        self.feed = services.feed_add(source=str(self.path), agency=agency, title=name,
                                      every=every)
        self.count = 0

    def send(self):
        self.count += 1
        word = WORDS[self.count % len(WORDS)]
        title = f"{self.feed.title} {word} report {self.count}"
        self.path.write_bytes(rss(rss_item(f"{self.feed.title}-{self.count}", title)))
        report = services.feed_poll(self.feed, force=True, now=self.clock.now)
        assert report.created == 1, report.summary()


@pytest.fixture
def two_hourly(tmp_path, clock):
    """A feed that brought one item every two hours for three days, the last at T0+70h."""
    wire = Wire(tmp_path, clock, "Tidewire")
    for hour in range(0, 72, 2):
        clock.now = T0 + timedelta(hours=hour, minutes=1)
        wire.send()
    return wire


def staff_client(django_user_model, permitted=True, **flags):
    user = django_user_model.objects.create_user("op", "op@example.org", "pw", **flags)
    if permitted:
        user.user_permissions.add(Permission.objects.get(codename="view_feedsilence"))
    client = Client()
    client.force_login(user)
    return client


def watch_lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "wiredesk.ops.wire_health"
            and r.levelno == logging.WARNING]


def health_of(name, now=None):
    return next(h for h in feed_health(now) if h.name == name)


def test_a_regular_feed_has_its_usual_rate_and_gap(two_hourly, clock):
    clock.now = T0 + timedelta(hours=71)
    health = health_of("Tidewire")
    assert health.items_24h == 12
    assert health.usual_per_day == 12  # two whole previous days of 12
    assert health.usual_gap == timedelta(hours=2)
    assert health.silent is False


def test_silence_logged_once_and_recovery_once(two_hourly, clock, tmp_path, caplog):
    newcomer = Wire(tmp_path, clock, "Newwire")
    newcomer.send()
    clock.now = T0 + timedelta(hours=73)  # last item at 70h01: under 3h, usual gap 2h
    with caplog.at_level(logging.WARNING, logger="wiredesk.ops.wire_health"):
        assert watch_feeds().went_silent == ["Tidewire"]
        clock.now += timedelta(minutes=30)
        assert watch_feeds().went_silent == []  # still silent: not logged again
    assert watch_lines(caplog) == ["feed silent: Tidewire no item for 2h59m (usual gap 2h)"]
    silent_record = next(r for r in caplog.records if r.name == "wiredesk.ops.wire_health")
    assert silent_record.event == "feed_silent"
    assert silent_record.feed_id == two_hourly.feed.pk
    # The newcomer has one arrival: no usual gap, never called silent.
    assert health_of("Newwire").silent is None

    caplog.clear()
    clock.now = T0 + timedelta(hours=75)
    two_hourly.send()
    with caplog.at_level(logging.WARNING, logger="wiredesk.ops.wire_health"):
        assert watch_feeds().recovered == ["Tidewire"]
        assert watch_feeds().recovered == []
    assert watch_lines(caplog) == [
        "feed recovered: Tidewire new item after 4h59m (usual gap 2h)"]
    assert not FeedSilence.objects.exists()


def test_a_feed_silent_beyond_the_window_stays_silent(two_hourly, clock):
    clock.now = T0 + timedelta(hours=80)
    watch_feeds()
    clock.now = T0 + timedelta(days=30)  # its whole history has left the window
    health = health_of("Tidewire")
    assert health.last_arrival is None and health.silent is True
    assert watch_feeds().recovered == []


def test_the_page_shows_silent_feeds_first_to_staff_only(two_hourly, clock, tmp_path,
                                                         django_user_model):
    busy = Wire(tmp_path, clock, "Aardwire")
    busy.send()
    clock.now = T0 + timedelta(hours=76)
    response = staff_client(django_user_model, is_staff=True).get("/admin/wire-health/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script" not in page.split('id="content-main"')[1]
    assert 'id="wd-silent-alert"' in page
    rows = page.split("<tbody>")[1].split("</tr>")
    assert 'class="wd-silent"' in rows[0] and "Tidewire" in rows[0] and "SILENT" in rows[0]
    assert "Aardwire" in rows[1] and "not enough history" in rows[1]
    assert '<td class="wd-items-24h">10</td>' in rows[0]
    assert '<td class="wd-gap">2h</td>' in rows[0]



def test_non_staff_are_refused(django_user_model):
    user = django_user_model.objects.create_user("reader", "r@example.org", "pw")
    client = Client()
    client.force_login(user)
    response = client.get("/admin/wire-health/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Client().get("/admin/wire-health/").status_code == 302


def test_staff_without_the_permission_are_refused(django_user_model):
    client = staff_client(django_user_model, permitted=False, is_staff=True)
    assert client.get("/admin/wire-health/").status_code == 403
    assert client.get("/admin/ops/feedsilence/").status_code == 403


def test_metrics_export_the_silence(two_hourly, clock):
    clock.now = T0 + timedelta(hours=76)
    text = Client().get("/metrics").content.decode()
    feed_id = two_hourly.feed.pk
    labels = f'{{feed="Tidewire",feed_id="{feed_id}",agency="TIDEWIRE"}}'
    assert f"wiredesk_feed_silent{labels} 1" in text
    assert f"wiredesk_feed_items_24h{labels} 10" in text
    assert f"wiredesk_feed_usual_gap_seconds{labels} 7200" in text
    success = (T0 + timedelta(hours=70, minutes=1)).timestamp()
    assert f"wiredesk_feed_last_success_timestamp_seconds{labels} {int(success)}" in text


def test_the_watch_is_a_periodic_job_of_both_schedulers(two_hourly, clock):
    assert any(p.name == "watch-feeds" and p.task == "ops.watch_feeds" for p in PERIODIC)
    job = next(j for j in default_jobs() if j.name == "watch-feeds")
    clock.now = T0 + timedelta(hours=76)
    assert job.run() == "1 feed(s) went silent, 0 recovered"
    assert isinstance(job.run(), Idle)


def test_two_queries_whatever_the_number_of_feeds(two_hourly, clock, tmp_path,
                                                  django_assert_num_queries):
    for name in ("Onewire", "Twowire", "Threewire"):
        Wire(tmp_path, clock, name).send()
    with django_assert_num_queries(2):
        report = feed_health(T0 + timedelta(hours=76))
    assert len(report) == 4


def test_the_admin_index_leads_to_the_page(django_user_model):
    client = staff_client(django_user_model, is_staff=True, is_superuser=True)
    assert "/admin/ops/feedsilence/" in client.get("/admin/").content.decode()
    response = client.get("/admin/ops/feedsilence/")
    assert response.status_code == 302 and response["Location"] == "/admin/wire-health/"


def test_a_hostile_feed_title_cannot_forge_a_log_line(two_hourly, clock, caplog):
    two_hourly.feed.title = "Tidewire\nfeed recovered: Tidewire"
    two_hourly.feed.save(update_fields=["title"])
    clock.now = T0 + timedelta(hours=76)
    with caplog.at_level(logging.WARNING, logger="wiredesk.ops.wire_health"):
        watch_feeds()
    assert watch_lines(caplog) == [
        "feed silent: Tidewire feed recovered: Tidewire no item for 5h59m (usual gap 2h)"]
