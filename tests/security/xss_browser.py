"""A headless Chromium that reports every sign of XSS on the pages it is shown.

- **Script ran**: ``window.__xss(id)`` is defined in every frame before any page script
  (``add_init_script``) and reports through a binding Playwright exposes to every frame,
  cross-origin and ``data:`` frames included; every ``alert``/``confirm``/``prompt``
  dialog is recorded and dismissed.
- **A request left**: every request is routed; only the site's own origin is let through,
  anything else is recorded and aborted (so nothing leaves the machine either).
- **A new window or a navigation away** is recorded as a leak too.
- **Live markup** left in the DOM after load (scanned in every frame): an ``on*``
  attribute, a ``javascript:``/``vbscript:``/``data:`` address as the browser itself
  parses it, ``<iframe>``/``<object>``/``<embed>``/``<base>``/refresh ``<meta>``, a
  script that is not the site's own file or a JSON data block that parses, any address on
  the leak host, CSS reaching for an address or ``expression()``. These need a click or
  another browser to fire, so they count as failures as well.

Each finding carries the injection id it names (``rs.ti.S01``), or the markup if none.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

INJECTION = re.compile(r"\b[a-z0-9]{2}\.[a-z0-9]{2}\.[A-Z]\d\d\b")

INIT_SCRIPT = """
(() => {
  const report = id => { try { window.__xssHit(String(id)); } catch (e) {} };
  Object.defineProperty(window, '__xss', {value: report, configurable: false});
})();
"""

SCAN = r"""
() => {
  const found = [];
  const LEAK_HOST = 'leak.invalid';
  const origin = location.origin;
  const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'data', 'poster',
    'background', 'xlink:href', 'ping', 'codebase', 'dynsrc', 'lowsrc', 'longdesc', 'cite',
    'icon', 'manifest', 'archive', 'values', 'to', 'from', 'by']);
  const EMBEDDING = new Set(['iframe', 'frame', 'frameset', 'object', 'embed', 'applet',
    'base', 'portal', 'fencedframe']);
  const host = value => {
    try { return new URL(value, document.baseURI).hostname; } catch (e) { return ''; }
  };
  const scheme = value => {
    try { return new URL(value, document.baseURI).protocol; } catch (e) { return ''; }
  };
  const describe = el => el.outerHTML.slice(0, 300);
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName.toLowerCase();
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value;
      if (name.startsWith('on')) { found.push(`handler ${name}: ${describe(el)}`); continue; }
      if (name === 'srcdoc') { found.push(`srcdoc: ${describe(el)}`); continue; }
      if (name === 'style' && /url\s*\(|expression|javascript|@import/i.test(value)) {
        found.push(`style: ${describe(el)}`); continue;
      }
      if (URL_ATTRS.has(name) || name === 'srcset') {
        const urls = name === 'srcset' ? value.split(',').map(s => s.trim().split(/\s+/)[0])
                                        : [value];
        for (const url of urls) {
          const s = scheme(url);
          const dataImage = s === 'data:' && /^\s*data:image\/(png|gif|jpeg|webp)/i.test(url)
                            && tag === 'img';
          if ((s === 'javascript:' || s === 'vbscript:' || s === 'data:') && !dataImage) {
            let decoded = '';
            try { decoded = atob(url.slice(url.indexOf(',') + 1)); } catch (e) {}
            found.push(`${s} in ${name}: ${describe(el)} ${decoded}`);
          }
          if (host(url) === LEAK_HOST) found.push(`leak address in ${name}: ${describe(el)}`);
        }
      }
    }
    if (EMBEDDING.has(tag)) found.push(`<${tag}>: ${describe(el)}`);
    if (tag === 'meta' && el.hasAttribute('http-equiv')) found.push(`meta: ${describe(el)}`);
    if (tag === 'script') {
      const type = (el.getAttribute('type') || '').toLowerCase();
      if (el.hasAttribute('src')) {
        if (new URL(el.src, document.baseURI).origin !== origin) {
          found.push(`foreign script: ${describe(el)}`);
        }
      } else if (type === 'application/ld+json' || type === 'application/json') {
        try { JSON.parse(el.textContent); }
        catch (e) { found.push(`data block that is not JSON: ${describe(el)}`); }
      } else {
        found.push(`inline script: ${describe(el)}`);
      }
    }
    if (tag === 'link' && /stylesheet|import|preload|prefetch/i.test(el.rel || '')) {
      if (new URL(el.href, document.baseURI).origin !== origin) {
        found.push(`foreign link: ${describe(el)}`);
      }
    }
    if (tag === 'style' && /leak\.invalid|expression|javascript|@import/i.test(el.textContent)) {
      found.push(`style element: ${describe(el)}`);
    }
  }
  return found;
}
"""


@dataclass
class Findings:
    """What fired, per injection id (or per page, for markup that names none)."""

    executed: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    leaked: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    live: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    errors: list[str] = field(default_factory=list)  # pages that did not render
    agency_images: set[str] = field(default_factory=set)
    shown: set[str] = field(default_factory=set)  # injection ids seen in a page's markup
    pages: int = 0

    @staticmethod
    def _key(text: str) -> str:
        match = INJECTION.search(text)
        return match.group(0) if match else f"(no id) {text[:200]}"

    def ids(self) -> set[str]:
        return {k for bucket in (self.executed, self.leaked, self.live) for k in bucket}

    def summary(self) -> str:
        lines = []
        for name, bucket in (("executed", self.executed), ("leaked", self.leaked),
                             ("live markup", self.live)):
            for key in sorted(bucket):
                lines.append(f"{name}: {key} on {sorted(bucket[key])[:3]}")
        return "\n".join(lines)


class XssBrowser:
    """One browser context (CSP honoured, or bypassed) and the page it loads pages in."""

    def __init__(self, browser, origin: str, *, bypass_csp: bool, settle_ms: int = 30,
                 image_origins: tuple[str, ...] = ()):
        self.origin = origin.rstrip("/")
        # Pictures in agency copy may load from the agency's own server: the policy allows
        # images from http(s) hosts by design. They are counted, never let through.
        self.image_origins = tuple(o.rstrip("/") for o in image_origins)
        self.findings = Findings()
        self.settle_ms = settle_ms
        self.context = browser.new_context(bypass_csp=bypass_csp)
        self.context.expose_binding("__xssHit", self._hit)
        self.context.add_init_script(INIT_SCRIPT)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.context.on("page", self._new_page)
        self.page.on("dialog", self._dialog)
        self.current = ""

    # -- hooks --------------------------------------------------------------------------
    def _hit(self, source, ident):
        self.findings.executed[Findings._key(str(ident))].add(self.current)

    def _dialog(self, dialog):
        self.findings.executed[Findings._key(f"dialog {dialog.message}")].add(self.current)
        dialog.dismiss()

    def _route(self, route):
        url = route.request.url
        if url == self.origin or url.startswith(self.origin + "/"):
            route.continue_()
            return
        if (route.request.resource_type == "image"
                and url.startswith(tuple(o + "/" for o in self.image_origins))):
            self.findings.agency_images.add(url)
        else:
            self.findings.leaked[Findings._key(url)].add(f"{self.current} -> {url[:200]}")
        route.abort()

    def _new_page(self, page):
        if page is not self.page:
            self.findings.leaked[Findings._key(page.url)].add(f"{self.current}: new window")
            page.close()

    # -- use ----------------------------------------------------------------------------
    def visit(self, url: str, label: str = "", *, main_frame: bool = True) -> None:
        """Load a page of the site, let handlers and timers fire, then scan its DOM (the
        frames in it only, without ``main_frame``: a page of test frames)."""
        self.current = label or url
        if not url.startswith("http"):
            url = self.origin + url
        try:
            response = self.page.goto(url, wait_until="load")
        except Exception as exc:  # the last page's refresh, aborted, landing late
            if "interrupted by another navigation" not in str(exc):
                raise
            response = self.page.goto(url, wait_until="load")
        if response is None or response.status >= 500:
            self.findings.errors.append(f"{url}: {response and response.status}")
        self.settle(label or url, main_frame=main_frame)

    def show(self, html: str, label: str) -> None:
        """Render HTML that is not a page of the site (a mail as a mail client shows it)."""
        self.current = label
        self.page.goto("about:blank")
        self.page.set_content(html, wait_until="load")
        self.settle(label, same_origin=False)

    def settle(self, label: str, *, same_origin: bool = True, main_frame: bool = True) -> None:
        """Let handlers, animations and timers of the page now shown fire, then scan it."""
        self.current = label
        self.page.wait_for_timeout(self.settle_ms)
        self.findings.pages += 1
        if same_origin and not self.page.url.startswith(self.origin):
            self.findings.leaked[Findings._key(self.page.url)].add(
                f"{self.current}: navigated to {self.page.url[:200]}")
        self.findings.shown.update(INJECTION.findall(self.page.content()))
        for frame in self.page.frames:
            if frame is self.page.main_frame and not main_frame:
                continue
            try:
                found = frame.evaluate(SCAN)
            except Exception as exc:  # a frame that went away mid-scan
                found = [f"frame not scanned ({frame.url[:80]}): {type(exc).__name__}"]
            for text in found:
                self.findings.live[Findings._key(text)].add(self.current)

    def runs_inline_script(self) -> bool:
        """Whether an inline script added to the current page runs (it does only when the
        page's Content-Security-Policy is not applied)."""
        self.page.evaluate("""() => { const s = document.createElement('script');
            s.textContent = 'window.__inlineRan = true'; document.body.appendChild(s); }""")
        return bool(self.page.evaluate("() => window.__inlineRan === true"))

    def close(self) -> None:
        self.context.close()
