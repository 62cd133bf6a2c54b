"""The web-page adapter keeps the story whole and nothing else (pages written for these tests)."""

from __future__ import annotations

from wiredesk.wire.extract import extract_source
from wiredesk.wire.formats import agreement, boilerplate, html_page
from wiredesk.wire.sanitize import html_to_text

STORY = [
    "The city council voted on Tuesday to turn the disused rail yard north of the station "
    "into a public park, ending a decade of argument over what the land should become.",
    "Councillors approved the plan by nine votes to four after a debate that ran past "
    "midnight, with residents filling the public gallery and the corridor outside it.",
    "The park will include playing fields, a covered market hall and a footbridge over the "
    "tracks, and the first section is due to open to the public in the spring of next year.",
    "Opponents had argued that the site should be sold to developers to pay for repairs to "
    "the city's schools, but the council's finance officer said the sale would not cover them.",
]

PAGE = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Council turns old rail yard into a park | The Riverside Courier</title>
<meta property="og:title" content="Council turns old rail yard into a park">
<meta name="author" content="Maria Lindqvist">
<meta property="article:published_time" content="2026-03-04T09:30:00+00:00">
</head><body>
<nav><a href="/">Home</a> <a href="/local">Local</a> <a href="/sport">Sport</a></nav>
<div class="content-with-sidebar-wrap"><main><article>
<h1>Council turns old rail yard into a park</h1>
<p class="byline">By Maria Lindqvist</p>
<time datetime="2026-03-04T09:30:00+00:00">4 March 2026</time>
<figure><img src="https://courier.example/yard.jpg" alt="">
<figcaption>The rail yard seen from the station footbridge. Photo: Courier staff</figcaption>
</figure>
<p>{STORY[0]}</p>
<div class="image"><img src="https://courier.example/gallery.jpg" alt="">
<p class="image-caption">Residents in the public gallery as the vote was read out, late on
Tuesday night. Picture by the Courier's photo desk</p></div>
<p>{STORY[1]}</p>
<div class="related-links"><h4>Related coverage</h4>
<ul><li><a href="/a">Rail yard sale collapses after bidder pulls out of talks</a></li>
<li><a href="/b">Residents petition for a park on the old goods station land</a></li></ul></div>
<div class="story-list"><a href="/g"><h3>Rail yard: the ten-year fight over the land</h3>
<p>How a patch of sidings became the city's longest-running planning row, and who
stood on which side of it from the first proposal to the final vote.</p></a></div>
<p>{STORY[2]}</p>
<div class="social-media-embed"><blockquote class="twitter-tweet"><p>Nine to four: the
rail yard becomes a park. A good night for the north side of the city.</p>
&mdash; Riverside Mayor (@riverside_mayor) March 3, 2026</blockquote></div>
<p>{STORY[3]}</p>
<p>Sign up for our daily newsletter to get the latest local news in your inbox.</p>
<div class="share-tools"><a href="#">Share on Facebook</a> <a href="#">Share by email</a></div>
</article>
<div class="more-stories"><a href="/c"><h3>Bus lanes to be extended on the ring road</h3>
<p>Drivers face months of roadworks as the council widens the junctions.</p></a>
<a href="/d"><h3>Market traders fear a summer without tourists this year</h3>
<p>Bookings are down by a third on last year, the traders' association says.</p></a></div>
<section id="comments"><h2>3 Comments</h2>
<div class="comment"><p>About time too. That land has been an eyesore for as long as I
can remember and my children have nowhere to play.</p></div>
<div class="comment"><p>Another waste of money by a council that cannot fix the potholes
on my street, let alone build a market hall that nobody asked for.</p></div>
</section>
</main></div>
<aside class="sidebar"><h3>Most read</h3><a href="/e">Five things to do this weekend</a></aside>
<footer>Copyright 2026 The Riverside Courier</footer>
</body></html>"""


def _item():
    return html_page.parse(PAGE.encode(), base_url="https://courier.example/park").items[0]


def _body_text():
    return html_to_text(_item().body)


def test_the_story_is_kept_whole():
    body = _body_text()
    for paragraph in STORY:
        assert paragraph in body


def test_headline_byline_and_date_are_kept():
    item = _item()
    assert item.title == "Council turns old rail yard into a park"
    assert item.authors == ["Maria Lindqvist"]
    assert item.published.isoformat() == "2026-03-04T09:30:00+00:00"
    # The headline is the item's title, not the body's first line.
    assert not _body_text().startswith("Council turns old rail yard")


def test_captions_are_dropped():
    assert "Photo: Courier staff" not in _body_text()
    assert "seen from the station footbridge" not in _body_text()
    assert "public gallery as the vote was read out" not in _body_text()


def test_related_links_and_other_stories_are_dropped():
    body = _body_text()
    assert "Rail yard sale collapses" not in body
    assert "ten-year fight" not in body and "longest-running planning row" not in body
    assert "Bus lanes to be extended" not in body
    assert "Market traders fear" not in body
    assert "Five things to do" not in body


def test_comments_share_tools_and_newsletter_lines_are_dropped():
    body = _body_text()
    assert "eyesore" not in body and "potholes" not in body
    assert "Share on Facebook" not in body
    assert "newsletter" not in body


def test_a_post_the_story_quotes_is_kept():
    assert "the rail yard becomes a park" in _body_text()


def test_the_cli_extract_reads_the_same(tmp_path):
    page = tmp_path / "park.html"
    page.write_text(PAGE, encoding="utf-8")
    result = extract_source(str(page))
    assert result["title"] == "Council turns old rail yard into a park"
    assert result["author"] == "Maria Lindqvist"
    assert result["published"].startswith("2026-03-04T09:30:00")
    assert STORY[3] in result["text"] and "eyesore" not in result["text"]


def test_a_block_named_like_boilerplate_that_holds_the_story_is_kept():
    tree = boilerplate.parse_html(
        "<html><body><div class='post has-comments'>"
        + "".join(f"<p>{p}</p>" for p in STORY)
        + "</div><div class='comments'><p>A reader's short note.</p></div></body></html>")
    boilerplate.strip_tree(tree)
    text = tree.text_content()
    assert STORY[2] in text and "short note" not in text


def test_a_comments_heading_ends_the_story_only_after_some_story():
    text = "\n".join([STORY[0], "Comments", "First!"])
    assert boilerplate.strip_text(text) == STORY[0]
    # At the very top it is the page's own heading, not the end of the story.
    assert boilerplate.strip_text("Comments\n" + STORY[0]) == "Comments\n" + STORY[0]


def test_edges_only_the_first_reading_has_are_trimmed_when_the_readings_agree():
    related = "Other story: bus lanes to be extended"
    about = ("The Riverside Courier is an independent newspaper founded in 1901 and "
             "published every weekday in print and online.")
    first = "\n".join([related, *STORY, about])
    second = "\n".join(STORY)
    assert agreement.trim_to_agreement(first, second) == "\n".join(STORY)


def test_a_long_lede_only_the_first_reading_has_is_kept():
    first = "\n".join(STORY)
    second = "\n".join(STORY[1:])
    assert agreement.trim_to_agreement(first, second) == first


def test_readings_that_disagree_leave_the_text_alone():
    first = "\n".join(STORY)
    assert agreement.trim_to_agreement(first, STORY[0]) == first
    assert agreement.trim_to_agreement(first, "") == first


def test_the_tree_loses_captions_teaser_cards_hover_cards_and_hidden_blocks():
    tree = boilerplate.parse_html(
        "<html><body><article>"
        f"<p>{STORY[0]} Rep. <span class='rollover-people'><a href='/p'>Ann Lee</a>"
        "<span class='rollover-people-block'>Ann Lee voted against the budget</span></span>"
        " spoke first.</p>"
        "<div class='wp-caption'><img src='x.jpg'><p class='wp-caption-text'>The yard in "
        "1998</p></div>"
        "<figure><figcaption>A crane on the site</figcaption></figure>"
        f"<p>{STORY[1]}</p>"
        "<a href='/other'><h2>Another story's headline</h2><p>Its teaser.</p></a>"
        "<div style='display: none'>Hidden promotion</div>"
        f"<p>{STORY[2]}</p></article></body></html>")
    assert boilerplate.strip_tree(tree) >= 4
    text = " ".join(tree.text_content().split())
    assert STORY[0] in text and STORY[1] in text and STORY[2] in text
    # The hover card's label and the text after it stay in the sentence.
    assert "Rep. Ann Lee spoke first." in text
    for gone in ("voted against the budget", "The yard in 1998", "A crane on the site",
                 "Another story's headline", "Its teaser", "Hidden promotion"):
        assert gone not in text


def test_a_deck_above_the_story_is_dropped_but_a_sub_heading_in_it_is_kept():
    tree = boilerplate.parse_html(
        "<html><body><article><h1>Council turns old rail yard into a park</h1>"
        "<h2 class='article-subline'>Nine votes to four after a debate past midnight</h2>"
        f"<p>{STORY[0]}</p><h2 class='subhead'>What happens next</h2>"
        f"<p>{STORY[1]}</p></article>"
        "<div><p class='item__dek'>Another story's summary</p></div></body></html>")
    boilerplate.strip_tree(tree)
    text = " ".join(tree.text_content().split())
    assert "debate past midnight" not in text
    assert "What happens next" in text and STORY[1] in text
    # After the story began, a deck-named block is left to the other rules.
    assert "Another story's summary" in text


def test_a_link_in_a_styled_span_stays_in_its_sentence():
    sentence = ("The council's finance officer has said that <span class='link'><a "
                "href='/sale'>the sale would not cover the repairs</a></span> to the schools.")
    page = (f"<html><head><title>Council turns old rail yard into a park</title></head><body>"
            f"<article><h1>Council turns old rail yard into a park</h1><p>{STORY[0]}</p>"
            f"<p>{sentence}</p><p>{STORY[1]}</p>"
            "<p><strong>Also: </strong><span class='link'><a href='/b'>Bus lanes to be "
            f"extended</a></span></p><p>{STORY[2]}</p></article></body></html>")
    body = html_to_text(html_page.parse(page.encode()).items[0].body)
    assert ("has said that the sale would not cover the repairs to the schools." in
            " ".join(body.split()))
    # A label and a link with no sentence around them is a pointer to another story.
    assert "Bus lanes" not in body


def test_the_edge_trim_stops_at_a_leading_line_that_ends_as_a_sentence():
    claim = "The rail yard was sold to a developer in 2019."
    first = "\n".join(["Claim", claim, "Origin", *STORY])
    assert agreement.trim_to_agreement(first, "\n".join(STORY)) == "\n".join(
        [claim, "Origin", *STORY])


def test_a_quoted_post_at_the_end_survives_the_edge_trim():
    post = ["Nine to four: the rail yard becomes a park.",
            "— Riverside Mayor (@riverside_mayor) March 3, 2026"]
    first = "\n".join([*STORY, *post])
    # readability drops embeds: the post's text is not in the second reading.
    assert agreement.trim_to_agreement(first, "\n".join(STORY)) == first


def test_a_link_wrapping_a_paragraph_is_another_story_s_card():
    tree = boilerplate.parse_html(
        f"<html><body><article><p>{STORY[0]}</p><p>{STORY[1]}</p></article>"
        "<ul class='guides'><li><a href='/guide'><p>Night buses explained: every route, "
        "every stop and every fare, in one guide.</p></a></li></ul></body></html>")
    boilerplate.strip_tree(tree)
    text = tree.text_content()
    assert STORY[1] in text and "Night buses explained" not in text


def test_a_related_heading_takes_the_blocks_after_it_but_not_the_story_that_goes_on():
    teaser = ("<article class='post'><h2>Night buses explained</h2><p>Every route, every stop "
              "and every fare of the new night network, explained in one long guide for "
              "readers who travel after midnight.</p></article>")
    tree = boilerplate.parse_html(
        f"<html><body><article><h1>Council turns old rail yard into a park</h1>"
        f"<p>{STORY[0]}</p><h4>Related coverage</h4><ul><li>Rail yard sale collapses</li></ul>"
        f"<p>{STORY[1]}</p></article>"
        f"<article class='post'><h3 class='relatedpoststitle'>Você pode gostar...</h3>"
        f"{teaser}{teaser}</article></body></html>")
    assert boilerplate.strip_tree(tree) >= 5
    text = tree.text_content()
    assert STORY[0] in text and STORY[1] in text
    for gone in ("Related coverage", "Rail yard sale", "Você pode gostar", "Night buses"):
        assert gone not in text


def test_related_headings_one_after_another_are_taken_once():
    tree = boilerplate.parse_html(
        f"<html><body><article><p>{STORY[0]}</p><h3>Related</h3><ul><li>Bus lanes</li></ul>"
        "<h3>More stories</h3><ul><li>Market traders</li></ul>"
        f"<p>{STORY[1]}</p></article></body></html>")
    assert boilerplate.strip_tree(tree) == 4
    text = tree.text_content()
    assert STORY[1] in text and "Bus lanes" not in text and "Market traders" not in text
