"""The pure pipeline: bytes in, clean WireItems out, and what can be known about them.

Nothing in this package imports Django, the apps or touches a database; an
import-linter contract in pyproject.toml (checked by the test suite) keeps it so.

The public surface is the modules in ``__all__``; apps import from these and nothing
else in ``wire``. Their main names:

- ``types``: ``WireItem`` (parsed), ``CleanItem`` (normalized), ``Media`` (what a format
  offers), ``Picture`` (the one shown), ``PictureLink``, ``ParseResult``, ``WireError``.
- ``fetch``: ``fetch`` (conditional GET with size and time caps, public addresses only
  unless a ``FetchPolicy`` allows more), ``post`` (a push under the same rules: a
  partner's webhook, a WebSub hub or subscriber), ``is_url``, ``FetchPolicy``,
  ``FetchResult``, ``PostResult``, ``FetchError``.
- ``sources``: ``parse_source`` (a drop folder's or mailbox's address), ``transport_of``,
  ``redact`` (a source without its password, for lists and logs), ``host_of``.
- ``drops``: ``open_folder`` (a local, FTP/FTPS or SFTP drop folder: list, read under a cap,
  move), ``settled`` (which files are complete), ``DropFile``, ``DropError``,
  ``FileRefused``.
- ``mail``: ``open_mailbox`` (an IMAP mailbox: new messages by UID, read, mark seen),
  ``read_message`` (a message's copy as documents, or why it is none).
- ``opml``: ``read_opml``, ``write_opml``, ``feed_url_problem`` (a URL that cannot be a
  polled web feed), ``feed_url_key`` (for duplicates).
- ``formats``: ``parse_bytes`` (format sniffing, one adapter per format) and the
  adapter modules (``html_page`` for a single web page).
- ``pipeline``: ``process`` (parse + normalize + identity of a whole payload).
- ``normalize``: ``normalize`` (one ``WireItem`` -> ``CleanItem``).
- ``images``: ``make_renditions`` (an agency's picture checked, decoded once under a
  pixel cap and re-encoded into several widths, metadata left behind), ``content_hash``,
  ``PictureRejected``.
- ``pictures``: ``best_picture`` (the picture an item is shown with, from every format's
  media and the copy's ``<img>``), ``PICTURE_CLASSES``.
- ``sanitize``: ``sanitize_html``, ``html_to_text``, ``plain_text``.
- ``markup``: ``body_to_html`` (the newsroom's Markdown subset, as the public and the desk
  write it, to sanitized HTML), ``BODY_HELP``, ``body_text_length``.
- ``extract``: ``extract_source`` (what the page adapter makes of one page: ``wiredesk extract``).
- ``sections``: ``section_for`` (rules), ``SectionClassifier`` (learned).
- ``placement``: ``EditionRule``, ``editions_for`` (which editions carry an item).
- ``similarity``: features, near-duplicates, story clustering, related ranking.
- ``entities``: ``extract`` (names in an item), ``entity_key``.
- ``language``: ``detect`` (an item's language as a BCP 47 tag, from its letters and
  py3langid, the feed's declaration trusted when the text agrees or is too short),
  ``primary``, ``direction`` (``rtl`` or ``ltr``), ``normalize_tag``.
- ``searchterms``: ``terms``/``term`` (a text's words as a search index holds them in its
  language: folded, Arabic prefixes off, Snowball-stemmed), ``words``, ``fold``,
  ``folded_text``, ``language_code``, ``stemmer_name``.
- ``slugs``: ``slug_for`` (a headline in any script as an ASCII slug, transliterated).
- ``xmlsafe``: ``xml_text`` / ``xml_clean`` (text any XML writer can emit: feeds,
  sitemaps), beside the safe parsing the format adapters use.

The other modules (``decode``, ``dates``, ``datelines``, ``identity``,
``teaser``) are stages inside the pipeline. Nothing is imported here: importing one
module must not load numpy or the HTTP client for callers that only need ``types``.
"""

__all__ = [
    "drops",
    "entities",
    "extract",
    "fetch",
    "formats",
    "images",
    "language",
    "mail",
    "markup",
    "normalize",
    "opml",
    "pictures",
    "pipeline",
    "placement",
    "sanitize",
    "searchterms",
    "sections",
    "similarity",
    "slugs",
    "sources",
    "types",
    "xmlsafe",
]
