from tests.story_texts import COURT, FLOOD, MATCH
from wiredesk.wire import entities
from wiredesk.wire.entities import ORGANISATION, PERSON, PLACE


def names(headline, paragraphs):
    return {(e.name, e.kind) for e in entities.extract(headline, "\n".join(paragraphs))}


def test_people_organisations_and_places_in_a_court_report():
    found = names("Harlow City court jails former minister", COURT)
    assert ("Teodor Vasek", PERSON) in found  # "Teodor Vasek", then "Vasek" twice
    assert ("Kestrel Group", ORGANISATION) in found
    assert ("Harlow City", PLACE) in found


def test_sports_club_is_an_organisation_and_its_player_a_person():
    found = names("Harbour City beat Northgate Rovers", MATCH)
    assert ("Northgate Rovers", ORGANISATION) in found
    assert ("Jonas Ekdahl", PERSON) in found


def test_a_name_mentioned_once_is_not_a_tag_unless_the_headline_names_it_too():
    body = ["Relief workers reached Santa Barca on Monday, officials said.",
            "The road from the coast reopened after two days."]
    assert names("Storm damage", body) == set()
    assert ("Santa Barca", PLACE) in names("Aid reaches Santa Barca", body)


def test_title_case_headlines_and_sentence_openers_are_not_names():
    body = ["Police said the Market Row blaze was treated as suspicious.",
            "Police asked witnesses to come forward. Witnesses saw smoke at nine."]
    found = names("Blaze Guts Store As Police Hunt Arsonist", body)
    assert not {n for n, _ in found} & {"Police", "Witnesses", "Blaze Guts Store As Police"}


def test_titles_acronyms_and_possessives():
    body = ["Judge Amalia Ruiz read the verdict while NATO observers watched.",
            "Ruiz said the NATO mission would stay. The court upheld Harlow's appeal in Harlow."]
    found = names("", body)
    assert ("Amalia Ruiz", PERSON) in found
    assert ("NATO", ORGANISATION) in found
    assert ("Harlow", PLACE) in found  # "Harlow's" and "in Harlow" are one place


def test_keys_fold_accents_and_case_so_one_name_has_one_page():
    assert entities.entity_key("José Müller-Öst") == "jose-muller-ost"
    assert entities.entity_key("JOSÉ MÜLLER-ÖST") == "jose-muller-ost"


def test_bad_input_neither_crashes_nor_floods_tags():
    assert entities.extract("", "") == []
    assert entities.extract("地震", "東京で地震があり、多くの人が避難しました。") == []
    huge = "\n".join(["Ilse Marquand visited Port Elsmere."] * 50_000)
    assert len(entities.extract("", huge)) <= entities.MAX_ENTITIES
    many = "\n".join(f"Anna Person{i} met Bo Other{i}. Anna Person{i} left." for i in range(100))
    assert len(entities.extract("", many)) == entities.MAX_ENTITIES


def test_floods_report_names_nothing_twice_so_gets_no_tags():
    # Precision first: every proper name in this report is mentioned once.
    assert names("Floods force thousands from homes", FLOOD) == set()


def test_no_names_from_languages_that_capitalise_every_noun():
    body = ("Die Opposition im Bundestag kritisierte die Pläne. Die Opposition sagte, die "
            "Feuerwehr Bayern sei überlastet, und die Feuerwehr Bayern bat um Hilfe.")
    assert entities.extract("Streit um das Heizungsgesetz", body)  # read as if English: junk names
    assert entities.extract("Streit um das Heizungsgesetz", body, language="de") == []
    assert entities.extract("Streit um das Heizungsgesetz", body, language="de-AT") == []
