"""What is on an article page but is not the story: found in the page's tree and in the text.

Two passes around trafilatura. Before it, ``strip_tree`` takes out of the parsed page the
blocks a site marks as not the story in its own markup — comment threads, related-links
and "more stories" blocks (by their names, or a heading such as "You may also like" and the
blocks after it), teaser cards (a link wrapping a headline or a paragraph), share and newsletter
boxes, picture captions, hover cards, hidden elements, and a deck (standfirst) above the
story's first paragraph — never the block that holds the headline or the article body;
and it unstyles the spans that wrap a link inside a sentence, which trafilatura would cut.
After it, ``strip_text`` drops the lines that survive as plain text: a comments section's
heading and everything after it, "Related:", "Also:", "You may also like", "Share this",
newsletter and copyright lines.

Rules are about page structure and common wording, never about one site.
"""

from __future__ import annotations

import re

from lxml import etree

# Parts of a class or id (split on "-", "_", spaces) that name a block that is not the story.
_NOT_STORY_PARTS = frozenset({
    "comment", "comments", "commentlist", "disqus", "respond", "reply", "replies",
    "related", "relatedposts", "recommended", "recommendations", "recirculation",
    "outbrain", "taboola", "share", "sharing", "sharebar", "social", "newsletter",
    "subscribe", "signup", "promo", "rollover", "tooltip", "popup", "popover",
    "caption", "figcaption", "wp-caption-text", "sidebar", "breadcrumb", "breadcrumbs",
})
# Whole class or id tokens (hyphens kept) for blocks whose parts alone are too common.
_NOT_STORY_TOKENS = frozenset({
    "read-more", "readmore", "more-stories", "more-news", "also-read", "see-also",
    "also-on", "read-next", "up-next", "most-read", "most-popular", "trending",
})
# A deck (standfirst, sub-headline): the summary under the headline, not the story's text.
_DECK_PARTS = frozenset({"dek", "deck", "standfirst", "strapline", "subline", "subtitle",
                         "subheadline", "subhead"})
_DECK_TOKENS = ("sub-headline", "sub-title", "sub-head")
# A paragraph this long has begun the story: a deck is above it, a sub-heading below.
_STORY_PARAGRAPH_CHARS = 100
_SENTENCE_AROUND_LINK_CHARS = 30
_EMBEDDED_POSTS = ("twitter-tweet", "instagram-media", "tiktok-embed")
_HOVER_PARTS = frozenset({"rollover", "tooltip", "popup", "popover"})
_INLINE_TAGS = frozenset({"span", "a", "abbr", "em", "strong", "b", "i"})
_SPLIT = re.compile(r"[-_\s]+")
# Never removed: the page, the article's own containers.
_KEEP_TAGS = frozenset({"html", "body", "article", "main"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# A block holding more than this share of the page's paragraph text is the story's,
# whatever its class says ("content-with-sidebar", "post has-comments").
_STORY_SHARE = 0.4
MAX_CHECKS = 2_000
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CARD_BLOCKS = frozenset({*_HEADINGS, "p"})


def _names(element) -> list[str]:
    return f"{element.get('class') or ''} {element.get('id') or ''}".lower().split()


def _names_not_story(element) -> bool:
    for token in _names(element):
        if token in _NOT_STORY_TOKENS:
            return True
        if any(part in _NOT_STORY_PARTS for part in _SPLIT.split(token) if part):
            return True
    return False


def _names_a_deck(element) -> bool:
    for token in _names(element):
        if any(name in token for name in _DECK_TOKENS):
            return True
        if any(part in _DECK_PARTS for part in _SPLIT.split(token) if part):
            return True
    return False


def _paragraph_chars(element) -> int:
    return sum(len(p.text_content()) for p in element.iter("p"))


def _holds_the_story(element, page_paragraph_chars: int) -> bool:
    """The page's own containers, and any block with most of the page's paragraphs."""
    if element.tag in _KEEP_TAGS or element.xpath(".//article"):
        return True
    return _holds_the_body(element, page_paragraph_chars)


def _holds_the_body(element, page_paragraph_chars: int) -> bool:
    """The headline, the marked article body, or most of the page's paragraphs (an
    ``<article>`` alone proves nothing: blogs mark each teaser as one)."""
    if element.tag in ("main", "body") or element.get("itemprop") == "articleBody":
        return True
    if element.xpath(".//h1 | .//*[@itemprop='articleBody']"):
        return True
    return _paragraph_chars(element) > _STORY_SHARE * page_paragraph_chars


def _is_teaser_card(element) -> bool:
    """A link wrapping a headline or a paragraph: another story's card, not this one's
    text (a link inside a sentence wraps words, never a block)."""
    return element.tag == "a" and any(child.tag in _CARD_BLOCKS for child in element.iter())


def _is_hidden(element) -> bool:
    return (element.get("hidden") is not None or element.get("aria-hidden") == "true"
            or bool(_HIDDEN_STYLE.search(element.get("style") or "")))


def _not_the_story(element, page_paragraph_chars: int, story_started: bool) -> bool:
    if element.tag == "figcaption":
        return True
    if _is_teaser_card(element):
        # Unclosed links can wrap a whole story in a badly written page.
        return not _holds_the_story(element, page_paragraph_chars)
    deck = not story_started and _names_a_deck(element)
    return ((deck or _names_not_story(element) or _is_hidden(element))
            and not _holds_the_story(element, page_paragraph_chars))


# A heading that announces other stories, in the languages the desk reads most.
_RELATED_HEADING = re.compile(
    r"^(?:related\b|(?:you )?(?:may|might) (?:also )?(?:like|enjoy)\b|more (?:stories|news)\b"
    r"|(?:read|see) (?:also|next)\b|also read\b|recommended\b"
    r"|(?:você (?:também )?pode gostar|veja também|leia também|artigos relacionados"
    r"|vous aimerez aussi|(?:à )?lire aussi|(?:también )?te puede interesar|lee también"
    r"|noticias relacionadas|potrebbe interessarti|leggi anche"
    r"|das könnte sie auch interessieren|mehr zum thema)\b)",
    re.I)


def _is_related_heading(element) -> bool:
    if element.tag not in _HEADINGS or element.tag == "h1":
        return False
    if any("related" in token for token in _names(element)):
        return True
    return bool(_RELATED_HEADING.match(" ".join(element.text_content().split())))


def _related_sections(tree, page_paragraph_chars: int) -> list:
    """Each heading that announces other stories, with the blocks after it in its parent
    up to the next paragraph or heading of the page's own (a story may go on after an
    inline "Related" box)."""
    sections, checks, taken = [], 0, set()
    for heading in tree.iter(*_HEADINGS):
        if checks >= MAX_CHECKS:
            break
        # Already taken with an earlier heading's section ("Related", then "More stories").
        if heading in taken or any(a in taken for a in heading.iterancestors()):
            continue
        if not _is_related_heading(heading) or _holds_the_story(heading, page_paragraph_chars):
            continue
        sections.append(heading)
        taken.add(heading)
        for sibling in heading.itersiblings():
            checks += 1
            if not isinstance(sibling.tag, str):
                continue
            if sibling.tag == "p" or (sibling.tag in _HEADINGS
                                      and not _is_related_heading(sibling)) \
                    or _holds_the_body(sibling, page_paragraph_chars) or checks >= MAX_CHECKS:
                break
            sections.append(sibling)
            taken.add(sibling)
    return sections


def _keep_embedded_posts(tree) -> None:
    """A post the story quotes (a tweet's blockquote) is the story's text: its class would
    make trafilatura throw it away with the site's own social buttons."""
    for quote in tree.iter("blockquote"):
        names = " ".join(_names(quote))
        if any(word in names for word in _EMBEDDED_POSTS):
            # The quote and the wrappers that hold nothing else ("social-media-embed").
            wrapper, quoted = quote, quote.text_content().strip()
            while wrapper is not None and wrapper.tag not in _KEEP_TAGS \
                    and wrapper.text_content().strip() == quoted:
                wrapper.attrib.pop("class", None)
                wrapper.attrib.pop("id", None)
                wrapper = wrapper.getparent()


def strip_tree(tree) -> int:
    """Remove the blocks that are not the story from a parsed page, in place; count them.

    The page is walked in reading order, so a deck is told from a sub-heading by whether
    a paragraph of the story came before it. A removed block's inside is never looked at,
    and at most ``MAX_CHECKS`` blocks are weighed against the story, so a hostile page of
    nested "comment" blocks stays linear.
    """
    _keep_embedded_posts(tree)
    page_paragraph_chars = _paragraph_chars(tree)
    related = _related_sections(tree, page_paragraph_chars)
    for element in related:
        _drop_keeping_tail(element)
    doomed, checks, story_started = [], 0, False
    stack = [tree]
    while stack:
        element = stack.pop()
        if not isinstance(element.tag, str):
            continue
        if element is not tree and checks < MAX_CHECKS and _candidate(element):
            checks += 1
            if _not_the_story(element, page_paragraph_chars, story_started):
                doomed.append(element)
                continue
        if element.tag == "p" and len(element.text_content()) >= _STORY_PARAGRAPH_CHARS:
            story_started = True
        stack.extend(reversed(element))
    for element in doomed:
        _drop_keeping_tail(element)
    _keep_links_in_sentences(tree)
    return len(related) + len(doomed)


def _candidate(element) -> bool:
    return (element.tag == "figcaption" or element.tag == "a" or _is_hidden(element)
            or _names_not_story(element) or _names_a_deck(element))


def _keep_links_in_sentences(tree) -> None:
    """A link wrapped in a styled span inside a paragraph is words of a sentence: the
    span's class ("link") would make trafilatura cut them out and leave the sentence
    broken ("has reported that for his role")."""
    for paragraph in tree.iter("p"):
        spans = paragraph.xpath(".//span[.//a]")
        if not spans:
            continue
        # Words of its own around the link: a sentence, not an "Also: <link>" line.
        own = len(paragraph.text_content()) - sum(len(s.text_content()) for s in spans)
        if own >= _SENTENCE_AROUND_LINK_CHARS:
            for span in spans:
                for name in ("class", "id", "style"):
                    span.attrib.pop(name, None)


def _inline_label(element) -> str:
    """What an inline hover card shows in the sentence: its own text or its first link's
    ("Rep. <span class=rollover><a>Ann Lee</a><span>card</span></span> said")."""
    if element.tag not in _INLINE_TAGS or not any(
            part in _HOVER_PARTS for token in _names(element) for part in _SPLIT.split(token)):
        return ""
    if (element.text or "").strip():
        return element.text
    first = next(iter(element), None)
    if first is not None and first.tag == "a":
        return first.text_content()
    return ""


def _drop_keeping_tail(element) -> None:
    """Remove an element but keep the text that follows it in its parent (and an inline
    hover card's label)."""
    parent = element.getparent()
    tail = _inline_label(element) + (element.tail or "")
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


# A comments section's heading: what follows it is readers' text, not the story.
_COMMENTS_HEADING = re.compile(
    r"^(?:\d+\s+)?(?:comments?|responses?|replies|reader comments)(?:\s*\(\d+\))?:?$"
    r"|^(?:leave|post|add|write) a (?:reply|comment|response)\b.*$"
    r"|^comments are closed\.?$"
    r"|^\d+ (?:thoughts|responses|replies) (?:on|to)\b.*$",
    re.I)
# Lines that are the site talking, not the story.
_NOT_STORY_LINE = re.compile(
    r"^(?:related(?: posts?| stories| articles| content| coverage)?\s*:"
    r"|you (?:may|might) also (?:like|enjoy)\b"
    r"|(?:(?:read|see) (?:more|also)|also(?: read| see)?)\s*:"
    r"|also on [\w.-]+\.\w+\b"
    r"|like this story\?"
    r"|share (?:this|it)(?: story| article)?(?:\s|:|$|!)"
    r"|get the latest .{0,60}\binbox\b"
    r"|(?:subscribe|sign up) (?:to|for) (?:our|the) .{0,40}newsletters?\b"
    r"|by submitting this form\b"
    r"|have a (?:news )?tip\?"
    r"|tell us what you think\b"
    r"|filed under\s*:"
    r"|sign up (?:for|to)\b.{0,80}\b(?:newsletter|daily|weekly|updates|e-?mails?)\b"
    r"|\[\w+[^\]]*\].*\[/\w+\]"
    r"|follow us on\b"
    r"|(?:©|\(c\)|copyright\s+(?:©\s*)?\d{4})"
    r")", re.I)
_SHORT_LINE = 200
# "DON'T MISS" and its list of other stories' headlines, each tagged "[VIDEO]", "[INSIGHT]".
_PROMO_HEADING = re.compile(
    r"^(?:don'?t miss|must read|most read|trending now|more from)\W*$", re.I)
_TAGGED_HEADLINE = re.compile(r"\w.{10,}\[[A-Z][A-Z ]{2,20}\]\W*$")
# A comments heading this early is more likely the page's own than the end of the story.
_MIN_STORY_BEFORE_COMMENTS = 150


def strip_text(text: str) -> str:
    """Drop trailing comment threads and the site's own lines from extracted text."""
    kept: list[str] = []
    story_chars = 0
    for line in text.split("\n"):
        folded = " ".join(line.split())
        if _COMMENTS_HEADING.match(folded) and story_chars >= _MIN_STORY_BEFORE_COMMENTS:
            break
        if len(folded) <= _SHORT_LINE and (_NOT_STORY_LINE.match(folded)
                                           or _PROMO_HEADING.match(folded)
                                           or _TAGGED_HEADLINE.search(folded)):
            continue
        kept.append(line)
        story_chars += len(folded)
    return "\n".join(kept)


def parse_html(markup: str):
    """The page as an lxml tree, or None when it cannot be read."""
    from trafilatura.utils import load_html

    try:
        return load_html(markup)
    except (ValueError, etree.ParserError):
        return None
