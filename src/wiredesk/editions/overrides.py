"""Per-edition template overrides: a publisher's own markup for one edition only.

An edition whose ``template_folder`` is ``chile`` renders its pages with
``$WIREDESK_DATA_DIR/edition-templates/chile/<template name>`` wherever that file
exists (``wiredesk/base.html``, ``wiredesk/_teasers.html``, ``wiredesk/404.html``...), and
with the shipped template otherwise. Nothing else sees the folder: other editions, the
admin, mail, the API.

How: ``edition_page`` (and the 404 handler) render inside ``edition_templates(edition)``,
which names the folder in a context variable for that request only; ``Loader``, the first
template loader (settings.TEMPLATES), looks there first. An override may extend the
template it replaces (``{% extends "wiredesk/base.html" %}`` in ``wiredesk/base.html``
reaches the shipped one, as Django's recursive extends does).

Only files inside the edition's folder are read: the folder name is one plain name
(``models.validate_template_folder``) and every template path is resolved, symlinks
included, and must stay inside it, so ``../`` or an absolute name reads nothing.
Parsed templates are kept per file and modification time: an edit shows on the next
request, without a restart.
"""

from __future__ import annotations

import contextlib
import os
from contextvars import ContextVar
from pathlib import Path

from django.conf import settings
from django.template import Origin, Template, TemplateDoesNotExist
from django.template.loaders.base import Loader as BaseLoader

OVERRIDES_DIR = "edition-templates"  # in WIREDESK_DATA_DIR

_folder: ContextVar[Path | None] = ContextVar("wiredesk_edition_templates", default=None)


def overrides_root() -> Path:
    return Path(settings.DATA_DIR) / OVERRIDES_DIR


def template_folder(edition) -> Path | None:
    """The edition's override folder, or None (none set, or a name that is not plain)."""
    from wiredesk.editions.models import TEMPLATE_FOLDER

    name = getattr(edition, "template_folder", "") or ""
    if not name or not TEMPLATE_FOLDER.match(name):
        return None
    return overrides_root() / name


@contextlib.contextmanager
def edition_templates(edition):
    """Render with the edition's overrides (if it has any) inside this block."""
    token = _folder.set(template_folder(edition) if edition is not None else None)
    try:
        yield
    finally:
        _folder.reset(token)


def override_path(folder: Path, template_name: str) -> Path | None:
    """The file for ``template_name`` inside ``folder``, or None when the name would
    leave it (``..``, an absolute path, a symlink pointing out)."""
    if not template_name or "\x00" in template_name:
        return None
    root = os.path.realpath(folder)
    candidate = os.path.realpath(os.path.join(root, template_name))
    if os.path.commonpath([root, candidate]) != root or candidate == root:
        return None
    return Path(candidate)


class Loader(BaseLoader):
    """Finds templates in the current edition's override folder only."""

    def __init__(self, engine):
        super().__init__(engine)
        self._parsed: dict[tuple[str, int, int], Template] = {}

    def get_template_sources(self, template_name):
        folder = _folder.get()
        if folder is None:
            return
        path = override_path(folder, template_name)
        if path is not None:
            yield Origin(name=str(path), template_name=template_name, loader=self)

    def get_contents(self, origin):
        try:
            with open(origin.name, encoding=self.engine.file_charset) as handle:
                return handle.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise TemplateDoesNotExist(origin) from exc

    def get_template(self, template_name, skip=None):
        tried = []
        for origin in self.get_template_sources(template_name):
            if skip is not None and origin in skip:
                tried.append((origin, "Skipped to avoid recursion"))
                continue
            try:
                stat = os.stat(origin.name)
            except OSError:
                tried.append((origin, "Source does not exist"))
                continue
            key = (origin.name, stat.st_mtime_ns, stat.st_size)
            template = self._parsed.get(key)
            if template is None:
                template = Template(self.get_contents(origin), origin, template_name,
                                    self.engine)
                self._parsed = {k: v for k, v in self._parsed.items() if k[0] != origin.name}
                self._parsed[key] = template
            return template
        raise TemplateDoesNotExist(template_name, tried=tried)

    def reset(self):
        self._parsed.clear()
