import pytest

from tests.story_texts import COURT, COURT_LOOKALIKE, FLOOD, MATCH
from wiredesk.wire.sections import SectionClassifier

SPORT = [*MATCH, "The national team won the relay final and the coach praised the runners.",
         "The tennis champion lost in the first round of the open after a long match."]
CRIME = [*COURT, *COURT_LOOKALIKE]
WEATHER = [*FLOOD, "A storm brought snow and strong wind to the mountain passes overnight."]


def test_trains_predicts_and_round_trips():
    texts = SPORT + CRIME + WEATHER
    labels = ["sport"] * len(SPORT) + ["courts"] * len(CRIME) + ["weather"] * len(WEATHER)
    model = SectionClassifier.train(texts, labels)
    assert model.predict("The striker scored twice as the league leaders won the match") == "sport"
    assert model.predict("The judge sentenced the former minister to prison for bribes") == \
        "courts"
    again = SectionClassifier.from_bytes(model.to_bytes())
    assert again.labels == model.labels
    assert again.predict("Rain and flood waters forced an evacuation") == "weather"
    assert again.predict("") == ""
    assert again.predict("12345 !!!") == ""


def test_needs_two_sections():
    with pytest.raises(ValueError):
        SectionClassifier.train(["a b c"], ["sport"])
