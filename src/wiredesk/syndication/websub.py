"""WebSub (placeholder, filled in below)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class WebSubReport:
    pinged: int = 0
    distributed: int = 0
    verified: int = 0
    expired: int = 0

    @property
    def nothing_done(self) -> bool:
        return not (self.pinged or self.distributed or self.verified or self.expired)

    def summary(self) -> str:
        return (f"pinged {self.pinged}; distributed {self.distributed}; "
                f"verified {self.verified}; expired {self.expired}")


def websub_run() -> WebSubReport:
    return WebSubReport()


def verify_intent(subscription_id: int) -> str:
    return ""
