"""/readyz and the metrics store in fresh processes: each with settings of its own (a
database or Redis that is down) or sharing counters with the others."""

import json

import pytest

from tests.e2e.processes import REDIS_URL, migrate, redis_up, run_django
from tests.ops.test_metrics import sample
from wiredesk.core import metrics


def test_readyz_names_the_database_when_it_is_down(data_dir):
    env = data_dir.env_with(DATABASE_URL="postgres://postgres@127.0.0.1:1/nothing")
    out = run_django(
        "import json; from django.test import Client; c = Client();"
        "r = c.get('/readyz'); h = c.get('/healthz');"
        "print(json.dumps([r.status_code, json.loads(r.content), h.status_code]))", env)
    status, body, health = json.loads(out.strip().splitlines()[-1])
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["failed"] == ["database"]
    assert body["checks"]["database"].startswith("error: OperationalError")
    assert health == 200  # alive, just not ready


def test_readyz_names_redis_when_it_is_down(data_dir):
    env = data_dir.env_with(REDIS_URL="redis://127.0.0.1:1/0")
    out = run_django(
        "import json; from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        "from django.test import Client; r = Client().get('/readyz');"
        "print(json.dumps([r.status_code, json.loads(r.content)]))", env)
    status, body = json.loads(out.strip().splitlines()[-1])
    assert status == 503
    assert body["failed"] == ["redis"]
    assert body["checks"]["database"] == "ok"


@pytest.mark.skipif(not redis_up(), reason="no Redis at 127.0.0.1:6379")
def test_readyz_is_ready_with_database_and_redis(data_dir):
    env = data_dir.env_with(REDIS_URL="redis://127.0.0.1:6379/8")
    out = run_django(
        "import json; from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        "from django.test import Client; r = Client().get('/readyz');"
        "print(json.dumps([r.status_code, json.loads(r.content)]))", env)
    status, body = json.loads(out.strip().splitlines()[-1])
    assert status == 200
    assert body == {"status": "ready", "failed": [],
                    "checks": {"database": "ok", "redis": "ok"}}


def test_database_counters_add_up_across_processes(data_dir):
    env = data_dir.env
    migrate(env)
    bump = ("from wiredesk.core import metrics\n"
            "for _ in range(5): metrics.increment('page_cache_hits_total')\n")
    run_django(bump, env)  # flushed at exit
    run_django(bump, env)
    out = run_django("from wiredesk.core import metrics;"
                     "print(metrics.counters()['page_cache_hits_total'])", env)
    assert out.strip() == "10"


@pytest.mark.skipif(not redis_up(), reason="no Redis at 127.0.0.1:6379")
def test_redis_counters_and_queue_depth_across_processes(data_dir):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    env = data_dir.env_with(REDIS_URL=REDIS_URL)
    migrate(env)
    bump = "from wiredesk.core import metrics; metrics.increment('digest_sends_total', 2)"
    run_django(bump, env)
    run_django(bump, env)
    queue = ("from wiredesk.newsroom.tasks import poll_feed\n"
             "for i in range(7): poll_feed.delay(10_000 + i)\n")
    run_django(queue, env)  # no worker runs: the tasks wait in Redis
    out = run_django("from django.test import Client;"
                     "print(Client().get('/metrics').content.decode())", env)
    assert sample(out, 'wiredesk_metrics_store_info{store="redis"}') == 1
    assert sample(out, 'wiredesk_queue_depth{queue="wiredesk"}') == 7
    assert sample(out, "wiredesk_broker_up") == 1
    assert int(redis.Redis.from_url(REDIS_URL).hget(metrics.REDIS_KEY,
                                                     "digest_sends_total")) == 4
