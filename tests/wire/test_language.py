"""Each item's language: scripts decide first, then py3langid; the feed's declaration is
trusted when the text agrees or is too short to contradict it."""

import pytest

from wiredesk.wire.language import detect, direction, normalize_tag, primary
from wiredesk.wire.normalize import normalize
from wiredesk.wire.types import WireItem

HEADLINES = {
    "es": "El Gobierno aprueba la reforma de las pensiones tras meses de negociación",
    "fr": "Le gouvernement présente son projet de budget pour l'année prochaine",
    "pt": "Chuvas fortes deixam milhares de desalojados no Rio Grande do Sul",
    "de": "Schwere Unwetter verursachen Millionenschäden in weiten Teilen Bayerns",
    "ar": "الحكومة تعلن عن خطة جديدة لدعم الاقتصاد",
    "hi": "सरकार ने नई आर्थिक नीति की घोषणा की",
    "en": "Storm leaves thousands of homes without power across the north",
}
BODIES = {
    "es": "Las autoridades de Galicia detuvieron el lunes a un hombre de 54 años como presunto "
          "autor del incendio que arrasó más de dos mil hectáreas de monte. Según la Guardia "
          "Civil, el detenido fue visto cerca del lugar donde comenzó el fuego.",
    "fr": "La grève lancée par plusieurs syndicats perturbe fortement la circulation des "
          "métros et des trains de banlieue. De nombreux usagers ont dû se rabattre sur le vélo "
          "ou le télétravail, tandis que les négociations reprendront jeudi.",
    "pt": "O governo federal anunciou nesta segunda-feira um novo pacote de medidas para "
          "estimular a economia, com crédito mais barato para pequenas empresas e a redução de "
          "impostos sobre alimentos da cesta básica.",
    "de": "Das Bundeskabinett hat am Mittwoch den Entwurf für ein neues Gebäudeenergiegesetz "
          "beschlossen. Die Opposition kritisierte die Pläne als zu teuer für Eigentümer und "
          "Mieter, die Feuerwehr war die ganze Nacht im Einsatz.",
    "ar": "أعلنت الحكومة يوم الثلاثاء عن خطة اقتصادية جديدة تهدف إلى دعم الشركات الصغيرة "
          "والمتوسطة وخفض معدلات البطالة. وقال وزير المالية إن الخطة ستمول من خلال إعادة توزيع "
          "بنود الميزانية دون زيادة الضرائب.",
    "hi": "राजधानी दिल्ली में सोमवार रात से हो रही भारी बारिश के कारण कई इलाकों में जलभराव हो गया "
          "है। यातायात पुलिस ने लोगों से अनावश्यक यात्रा न करने की अपील की है।",
    "en": "Engineers worked through the night to restore supplies after a storm brought winds "
          "of up to 90mph, and several rail lines remained closed on Tuesday morning while "
          "councils opened rest centres for families.",
}


@pytest.mark.parametrize("language", sorted(HEADLINES))
def test_headline_and_body(language):
    assert detect(HEADLINES[language], BODIES[language]) == language


@pytest.mark.parametrize("language", sorted(HEADLINES))
def test_body_alone(language):
    assert detect("", BODIES[language]) == language


@pytest.mark.parametrize("language", sorted(HEADLINES))
def test_a_headline_alone_is_its_language_or_unknown(language):
    # A short text may be too little to tell (empty: the edition's language stands in),
    # never another language.
    assert detect(HEADLINES[language], "") in (language, "")


@pytest.mark.parametrize("language", sorted(HEADLINES))
def test_a_wrong_declaration_loses_to_a_full_text(language):
    declared = "de" if language != "de" else "fr"
    assert detect(HEADLINES[language], BODIES[language], declared=declared) == language


@pytest.mark.parametrize("language", sorted(HEADLINES))
def test_a_right_declaration_keeps_its_region(language):
    assert detect(HEADLINES[language], BODIES[language],
                  declared=f"{language}-xx") == f"{language}-XX"


def test_a_short_text_keeps_what_its_feed_declares():
    assert detect("Ronaldo marca dos goles", "", declared="pt-BR") == "pt-BR"
    assert detect("Update 2", "", declared="en") == "en"
    assert detect("", "", declared="es") == "es"


def test_arabic_is_never_english():
    # Whatever the feed says and however short: the letters decide.
    assert detect("الاقتصاد", "", declared="en") == "ar"
    assert detect(HEADLINES["ar"], "", declared="en-US") == "ar"
    # Names in Latin letters inside Arabic copy do not make it English.
    assert detect("قمة الناتو في Washington", BODIES["ar"]) == "ar"
    # ...and an Arabic feed's declaration is kept when the letters agree.
    assert detect(HEADLINES["ar"], BODIES["ar"], declared="ar-EG") == "ar-EG"


def test_other_languages_of_the_arabic_script():
    persian = ("دولت ایران روز سه‌شنبه برنامه جدیدی برای حمایت از اقتصاد کشور اعلام کرد و "
               "وزیر اقتصاد گفت این برنامه به کاهش بیکاری کمک می‌کند.")
    assert detect("", persian) == "fa"


def test_scripts_that_decide_alone():
    assert detect("Κυβέρνηση ανακοίνωσε νέα μέτρα", "") == "el"
    assert detect("הממשלה הודיעה על תוכנית חדשה", "") == "he"
    assert detect("정부는 새로운 경제 정책을 발표했다", "") == "ko"
    assert detect("政府は新しい経済政策を発表した", "") == "ja"
    assert detect("政府宣布新的经济政策", "") == "zh"
    assert detect("Правительство объявило о новом плане поддержки экономики страны и "
                  "малого бизнеса", "") == "ru"


def test_nothing_to_read():
    assert detect("", "") == ""
    assert detect("2025 – 3:1", "") == ""
    assert detect("", "", declared="English") == ""  # not a language tag


def test_tags_and_directions():
    assert normalize_tag("pt_br") == "pt-BR"
    assert normalize_tag("zh-hant-tw") == "zh-Hant-TW"
    assert normalize_tag("EN") == "en"
    assert normalize_tag("") == normalize_tag("e") == normalize_tag("english language") == ""
    assert primary("pt-BR") == "pt"
    assert direction("ar") == direction("he-IL") == direction("fa") == "rtl"
    assert direction("en") == direction("") == direction("hi") == "ltr"


def test_normalize_carries_the_detected_language():
    item = WireItem(guid="g1", title=HEADLINES["es"], body=f"<p>{BODIES['es']}</p>",
                    language="en")
    assert normalize(item).language == "es"
    arabic = WireItem(guid="g2", title=HEADLINES["ar"], body=f"<p>{BODIES['ar']}</p>")
    assert normalize(arabic).language == "ar"
    declared = WireItem(guid="g3", title="Ronaldo marca", body="", language="pt-br")
    assert normalize(declared).language == "pt-BR"
