"""Per-send figures read from the delivery ledger, and their chart over time as inline SVG.

A send is one edition's digest of one day (``Digest``). Each figure is a condition on its
deliveries (``conditions``): their ledger state, and the bounce and complaint reports
matched to them later (``BounceEvent``), counted in the database in one grouped query, so
the admin's list and the chart cost one query whatever the number of issues. A new figure
is one line in ``conditions`` (and ``FIGURES``).

The chart is drawn here, on the server, as SVG with presentation attributes only: no
script and no style attribute, so the admin's Content-Security-Policy holds and it shows
in any browser, mail client or printout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Q, QuerySet
from django.utils.html import escape

from wiredesk.digest.models import BounceEvent, Delivery, Digest, Subscriber
from wiredesk.digest.sent_records import sent_q

FIGURES = ("planned", "sent", "deferred", "bounced", "complained", "unsubscribed")
LABELS = {
    "planned": "planned: in the ledger",
    "sent": "sent: accepted by the relay",
    "deferred": "deferred: a temporary failure (4xx, or a delay report) held it up",
    "bounced": "bounced: refused for good (5xx at sending, or a hard bounce report)",
    "complained": "complained: marked as spam (a complaint report)",
    "unsubscribed": "unsubscribed: left after this digest, their last (not by complaining)",
}
COLOURS = {"planned": "#5c5c5c", "sent": "#1a7f37", "deferred": "#b35c00",
           "bounced": "#a4161a", "complained": "#6f42c1", "unsubscribed": "#0b3d91"}


def conditions(prefix: str = "") -> dict[str, Q | None]:
    """Which deliveries each figure counts (``prefix``: the path from the model counted
    to the delivery, e.g. ``deliveries__``). None: not recorded, counts zero."""
    p = prefix
    gave_up = Q(**{f"{p}last_error__startswith": "gave up"})

    def reported(kind: str) -> Q:
        return Q(**{f"{p}bounce_events__kind": kind})

    complained = reported(BounceEvent.Kind.COMPLAINT)
    return {
        "planned": Q(),
        "sent": sent_q(p),
        "deferred": (Q(**{f"{p}state": Delivery.State.SENT, f"{p}attempts__gt": 1})
                     | Q(**{f"{p}state__in": [Delivery.State.PENDING, Delivery.State.SENDING],
                            f"{p}attempts__gte": 1})
                     | (Q(**{f"{p}state": Delivery.State.FAILED}) & gave_up)
                     | reported(BounceEvent.Kind.SOFT)),
        "bounced": ((Q(**{f"{p}state": Delivery.State.FAILED, f"{p}smtp_code__gte": 500,
                          f"{p}smtp_code__lt": 600}) & ~gave_up)
                    | reported(BounceEvent.Kind.HARD)),
        "complained": complained,
        # Left after this digest and got none since (the last digest they were sent), by
        # their own choice: a complaint unsubscribes too, and is counted as one.
        "unsubscribed": Q(**{f"{p}state": Delivery.State.SENT,
                             f"{p}subscriber__status": Subscriber.Status.UNSUBSCRIBED,
                             f"{p}subscriber__unsubscribed_at__gte": F(f"{p}sent_at"),
                             f"{p}subscriber__last_sent_at": F(f"{p}sent_at")}) & ~complained,
    }


def with_figures(digests: QuerySet[Digest]) -> QuerySet[Digest]:
    """``digests`` with each figure as an attribute (``fig_sent``, ...)."""
    annotations = {}
    for name, condition in conditions("deliveries__").items():
        if condition is None:
            continue
        annotations[f"fig_{name}"] = Count("deliveries", filter=condition or None,
                                           distinct=True)
    return digests.annotate(**annotations)


def figure(digest: Digest, name: str) -> int:
    return getattr(digest, f"fig_{name}", 0)


@dataclass
class SendRow:
    issue_date: date
    edition: str
    digest_id: int
    edition_id: int
    values: dict[str, int] = field(default_factory=dict)


def send_rows(*, edition_id: int | None = None, limit: int = 30) -> list[SendRow]:
    """The latest ``limit`` sends (of one edition, or all), oldest first."""
    digests = Digest.objects.select_related("edition").order_by("-issue_date", "-id")
    if edition_id is not None:
        digests = digests.filter(edition_id=edition_id)
    latest = list(with_figures(digests)[:limit])
    return [SendRow(d.issue_date, d.edition.name, d.pk, d.edition_id,
                    {name: figure(d, name) for name in FIGURES})
            for d in reversed(latest)]


# --- the chart --------------------------------------------------------------------------

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 28, 16, 76


def _axis(value: int) -> tuple[int, float]:
    """The y axis for values up to ``value``: its top and its tick step, a round number
    (1, 2, 2.5 or 5 times a power of ten) giving about five ticks."""
    if value <= 5:
        return 5, 1
    wanted = value / 5
    magnitude = 1.0
    while True:
        for factor in (1, 2, 2.5, 5):
            step = factor * magnitude
            if step >= wanted and step == int(step):
                return int(step * -(-value // step)), step  # the top: a ceiling
        magnitude *= 10


def _label_indices(count: int) -> list[int]:
    """Which sends get a date under the axis: about eight, the last always, never two
    crowding each other."""
    if count == 0:
        return []
    every = max(1, count // 8)
    chosen = list(range(0, count, every))
    if chosen[-1] != count - 1:
        if count - 1 - chosen[-1] <= every / 2 and len(chosen) > 1:
            chosen.pop()
        chosen.append(count - 1)
    return chosen


VOLUME = ("planned", "sent")
TROUBLE = ("deferred", "bounced", "complained", "unsubscribed")


def chart_svg(rows: list[SendRow], *, title: str = "Digest sends",
              series: tuple[str, ...] = FIGURES) -> str:
    """An SVG line chart of ``series`` per send, with axes, a legend and a tooltip
    (``<title>``) on each point. The volume and the trouble figures are best drawn
    apart (``VOLUME``, ``TROUBLE``): a few bounces vanish on the scale of thousands."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top, step = _axis(max((r.values.get(n, 0) for r in rows for n in series), default=0))
    count = len(rows)

    def x(i: int) -> float:
        return LEFT + (plot_w / 2 if count == 1 else plot_w * i / (count - 1))

    def y(v: int) -> float:
        return TOP + plot_h - plot_h * v / top

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="wd-chart" width="{WIDTH}" '
           f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
           f'aria-label="{escape(title)}" font-family="sans-serif" font-size="11">',
           f"<title>{escape(title)}</title>",
           f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>']
    for tick in range(0, round(top / step) + 1):
        value = int(tick * step)
        ty = y(value)
        out.append(f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" '
                   f'stroke="#e2e2e2"/>')
        out.append(f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" '
                   f'fill="#5c5c5c">{value}</text>')
    if not rows:
        out.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" '
                   'fill="#5c5c5c">No sends yet</text>')
    for i in _label_indices(count):
        out.append(f'<text x="{x(i):.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" '
                   f'fill="#5c5c5c">{rows[i].issue_date:%d %b}</text>')
    for name in series:
        colour = COLOURS[name]
        points = [(x(i), y(r.values.get(name, 0))) for i, r in enumerate(rows)]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            out.append(f'<polyline class="wd-series-{name}" points="{path}" fill="none" '
                       f'stroke="{colour}" stroke-width="2"/>')
        for (px, py), row in zip(points, rows, strict=True):
            out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}">'
                       f"<title>{row.issue_date:%Y-%m-%d} {escape(row.edition)}: "
                       f"{row.values.get(name, 0)} {name}</title></circle>")
    legend_y = HEIGHT - 22
    for i, name in enumerate(series):
        lx = LEFT + i * (plot_w / len(FIGURES))
        out.append(f'<rect x="{lx:.1f}" y="{legend_y - 9}" width="10" height="10" '
                   f'fill="{COLOURS[name]}"/>')
        out.append(f'<text x="{lx + 14:.1f}" y="{legend_y}" fill="#1b1b1b">{name}</text>')
    out.append("</svg>")
    return "\n".join(out)
