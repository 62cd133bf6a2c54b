"""Audit the locked dependency set (requirements.lock) for known vulnerabilities.

    python tools/audit_dependencies.py [--service osv|pypi] [--osv-url URL]
                                       [--lock requirements.lock]
                                       [--waivers audit-waivers.txt] [--require-service]

It runs pip-audit on the lock file (pinned, hashed, no resolution) against the first
vulnerability service that answers, and fails (exit 1) on any known vulnerability that
is not waived. A waiver is one line of audit-waivers.txt: the advisory's ID, then `#` and
why it does not apply or until when it is accepted; a waiver without a reason is refused.

When no service answers (an offline CI box, a mirror that serves PyPI's project JSON but
not the per-version documents pip-audit reads), the audit is SKIPPED, said so on stderr
and exit 0; with --require-service that is exit 3. A skip is never a pass: the output
says the set was not audited.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OSV_URL = "https://api.osv.dev/v1/query"
# A release that exists for certain: its per-version JSON is what pip-audit's PyPI service
# reads for every pin.
PYPI_PROBE = "https://pypi.org/pypi/pip/24.0/json"
SKIPPED = 3
_WAIVER = re.compile(r"^(?P<id>[A-Za-z][\w.:-]+)\s*(?:#\s*(?P<reason>.*))?$")


class WaiverError(ValueError):
    pass


def read_waivers(path: Path) -> dict[str, str]:
    """``{advisory id: reason}``; blank lines and whole-line comments are skipped."""
    if not path.is_file():
        return {}
    waivers = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _WAIVER.match(line)
        if not match or not (match.group("reason") or "").strip():
            raise WaiverError(f"{path.name}:{number}: a waiver is `ID  # reason`, with the "
                              f"reason: {line!r}")
        waivers[match.group("id")] = match.group("reason").strip()
    return waivers


def _answers(request: urllib.request.Request, timeout: float) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read(1 << 20)
            return True, f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return False, str(getattr(exc, "reason", exc))


def service_usable(service: str, osv_url: str, timeout: float = 10) -> tuple[bool, str]:
    if service == "osv":
        query = json.dumps({"package": {"name": "pip", "ecosystem": "PyPI"},
                            "version": "24.0"}).encode()
        return _answers(urllib.request.Request(osv_url, data=query, method="POST",
                                               headers={"Content-Type": "application/json"}),
                        timeout)
    return _answers(urllib.request.Request(PYPI_PROBE), timeout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--service", choices=("osv", "pypi"), action="append",
                        help="vulnerability service(s) to try, in order (default: osv, pypi)")
    parser.add_argument("--osv-url", default=DEFAULT_OSV_URL)
    parser.add_argument("--lock", default=str(ROOT / "requirements.lock"))
    parser.add_argument("--waivers", default=str(ROOT / "audit-waivers.txt"))
    parser.add_argument("--require-service", action="store_true",
                        help="exit 3 (not 0) when no service can be reached")
    parser.add_argument("--timeout", type=int, default=15)
    args = parser.parse_args(argv)

    try:
        waivers = read_waivers(Path(args.waivers))
    except WaiverError as exc:
        print(f"audit: {exc}", file=sys.stderr)
        return 2
    tried = []
    for service in args.service or ["osv", "pypi"]:
        usable, why = service_usable(service, args.osv_url, timeout=args.timeout)
        tried.append(f"{service}: {why}")
        if not usable:
            continue
        command = [sys.executable, "-m", "pip_audit", "--requirement", args.lock,
                   "--require-hashes", "--no-deps", "--disable-pip", "--strict",
                   "--progress-spinner", "off", "--vulnerability-service", service,
                   "--timeout", str(args.timeout), "--desc", "on"]
        if service == "osv":
            command += ["--osv-url", args.osv_url]
        for advisory in sorted(waivers):
            command += ["--ignore-vuln", advisory]
        print(f"audit: {Path(args.lock).name} against {service} ({why}); "
              f"{len(waivers)} waiver(s): {', '.join(sorted(waivers)) or 'none'}",
              file=sys.stderr)
        done = subprocess.run(command, check=False)
        return done.returncode if done.returncode in (0, 1) else 2  # 1: vulnerable
    print("audit: SKIPPED, the locked set was NOT audited: no vulnerability service could "
          f"be reached ({'; '.join(tried)})", file=sys.stderr)
    return SKIPPED if args.require_service else 0


if __name__ == "__main__":
    sys.exit(main())
