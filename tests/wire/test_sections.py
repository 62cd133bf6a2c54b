from wiredesk.wire.placement import EditionRule, editions_for
from wiredesk.wire.sections import section_for

RULES = {"world": ["international"], "business": ["economy", "markets"], "sport": []}


def test_section_by_slug_alias_and_word():
    assert section_for(["Sport"], RULES) == "sport"
    assert section_for(["Markets"], RULES) == "business"
    assert section_for(["World News"], RULES) == "world"
    assert section_for(["Weather"], RULES) == ""


def test_edition_rules_empty_means_everything():
    rules = [EditionRule(1), EditionRule(2, sections=frozenset({"world"})),
             EditionRule(3, agencies=frozenset({"ANI"}))]
    assert editions_for(rules, section="sport", agency="RFE") == [1]
    assert editions_for(rules, section="world", agency="ani") == [1, 2, 3]
