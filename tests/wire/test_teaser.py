from wiredesk.wire.teaser import make_teaser


def test_short_lead_is_kept_whole():
    assert make_teaser("A short lead.") == "A short lead."


def test_long_lead_cut_at_word_near_140_with_ellipsis():
    lead = ("New Delhi [India], July 12 (ANI): The Union Cabinet on Saturday approved a "
            "sweeping reform of the country's freight corridors, officials said, adding that "
            "work would begin within weeks.")
    teaser = make_teaser(lead)
    assert teaser.endswith("...")
    body = teaser[:-3]
    assert len(body) <= 140
    assert len(body) > 110
    assert lead.startswith(body)
    # the cut falls between words, never inside one
    assert lead[len(body)] == " "
    assert teaser.startswith("New Delhi [India], July 12 (ANI):")


def test_no_dangling_punctuation_before_ellipsis():
    lead = "word " * 26 + "end, and then more words follow here for a long time"
    teaser = make_teaser(lead.replace("word word", "word, word", 1))
    assert not teaser[:-3].endswith((",", " "))


def test_one_huge_token_is_cut_hard():
    teaser = make_teaser("x" * 500)
    assert teaser == "x" * 140 + "..."
