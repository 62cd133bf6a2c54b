"""Which section an item belongs in, from its categories."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def _fold(value: str) -> str:
    return " ".join(value.lower().replace("_", " ").replace("-", " ").split())


def section_for(categories: Iterable[str], rules: Mapping[str, Iterable[str]]) -> str:
    """Return the slug of the first section whose aliases match a category, or "".

    ``rules`` maps a section slug to the category names (aliases) it accepts; the
    slug itself always counts as an alias. Categories are tried in feed order, so
    the agency's primary category wins over secondary tags.
    """
    folded_rules = {slug: {_fold(slug), *(_fold(a) for a in aliases if a)}
                    for slug, aliases in rules.items()}
    for category in categories:
        folded = _fold(category)
        for slug, aliases in folded_rules.items():
            if folded in aliases:
                return slug
        # "World News" / "Politics/Europe": look at each word or path part too.
        for part in folded.replace("/", " ").split():
            for slug, aliases in folded_rules.items():
                if part in aliases:
                    return slug
    return ""
