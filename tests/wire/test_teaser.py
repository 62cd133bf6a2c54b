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


# Per script: the cut falls between words where the script spaces them, and never inside
# a grapheme (a letter and its marks, an emoji sequence, an Indic or Thai cluster).

def _body(teaser: str) -> str:
    assert teaser.endswith("...")
    return teaser[:-3]


def test_combining_accents_stay_on_their_letter_in_a_long_word():
    # Decomposed "é" (e + U+0301) in one long "word": a hard cut between graphemes.
    teaser = make_teaser("e\u0301" * 300)
    assert _body(teaser) == "e\u0301" * 140


def test_emoji_zwj_sequences_and_flags_are_never_split():
    family, flag = "\U0001f469\u200d\U0001f469\u200d\U0001f467", "\U0001f1e8\U0001f1f1"
    teaser = make_teaser((family + flag) * 100)
    body = _body(teaser)
    assert body == (family + flag) * 70
    assert not body.endswith("\u200d")


def test_devanagari_is_cut_between_words_and_keeps_its_conjuncts():
    lead = "नई दिल्ली में सरकार ने स्वास्थ्य क्षेत्र के लिए नई योजना की घोषणा की " * 6
    body = _body(make_teaser(lead))
    assert lead.startswith(body)
    assert lead[len(body)] == " "  # between words
    long_word = "क्षि" * 200  # one cluster of four code points, repeated
    assert _body(make_teaser(long_word)) == "क्षि" * 140


def test_thai_without_spaces_is_cut_between_clusters():
    lead = "สวัสดีประเทศไทย" * 40
    body = _body(make_teaser(lead))
    assert lead.startswith(body)
    # the next character is no mark continuing the last cluster (vowel signs, tone marks)
    thai_marks = "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c"
    assert lead[len(body)] not in thai_marks


def test_chinese_and_japanese_are_cut_at_a_grapheme_near_the_target():
    chinese = "国家统计局周六发布数据显示，上半年国内生产总值同比增长百分之五点三。" * 10
    body = _body(make_teaser(chinese))
    assert chinese.startswith(body)
    assert 130 <= len(body) <= 140
    assert not body.endswith("，")  # no dangling comma before the ellipsis
    japanese = "東京都は土曜日、記録的な暑さが続くとして熱中症への警戒を呼びかけた。" * 10
    assert japanese.startswith(_body(make_teaser(japanese)))


def test_arabic_is_cut_between_words_without_a_trailing_comma():
    lead = ("أعلنت الحكومة، اليوم السبت، عن خطة جديدة لتحلية المياه في المناطق الساحلية، "
            "بالتعاون مع شركاء دوليين، ") * 4
    body = _body(make_teaser(lead))
    assert lead.startswith(body)
    assert lead[len(body)] in " ،"
    assert not body.endswith(("،", " "))
    assert len(body) <= 140
