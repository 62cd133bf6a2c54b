"""Slugs from headlines in any script: transliterated, never the fallback for real words."""

from wiredesk.wire.slugs import slug_for


def test_latin_headlines_as_before():
    assert slug_for("Storm leaves thousands without power") == (
        "storm-leaves-thousands-without-power")
    assert slug_for("Grève à Paris : ça déraille") == "greve-a-paris-ca-deraille"
    assert slug_for("Straße über die Brücke") == "strasse-uber-die-brucke"


def test_non_latin_headlines_get_real_slugs():
    arabic = slug_for("الحكومة تعلن عن خطة جديدة")
    assert arabic not in ("", "item") and arabic.startswith("lhkwm")
    assert slug_for("सरकार ने नई आर्थिक नीति की घोषणा की").startswith("srkar-ne-ni")
    assert slug_for("Путин встретился с") == "putin-vstretilsya-s"
    assert slug_for("Ελλάδα εκλογές") == "ellada-ekloges"
    assert slug_for("中国经济") == "zhongguojingji"


def test_ascii_only_bounded_and_whole_words():
    slug = slug_for("الحكومة " * 40)
    assert slug.isascii() and len(slug) <= 100 and not slug.endswith("-")
    assert slug_for("word " * 40, max_length=12) == "word-word"


def test_fallback_only_when_nothing_can_be_spelled():
    assert slug_for("") == "item"
    assert slug_for("!!! ???") == "item"
    assert slug_for("", fallback="story") == "story"


def test_spanish_accents_and_eñe_fold_and_composed_or_not_give_one_slug():
    headline = "Año récord: el cobre sube en Valparaíso y Concepción"
    assert slug_for(headline) == "ano-record-el-cobre-sube-en-valparaiso-y-concepcion"
    decomposed = "A\u0303no re\u0301cord: el cobre sube en Valparai\u0301so y Concepcio\u0301n"
    assert slug_for(decomposed) == slug_for(headline)
