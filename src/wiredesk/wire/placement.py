"""Which editions carry an item: the routing rules, as a pure function."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class EditionRule:
    """An edition's filter. An empty set means "any": no filter carries everything."""

    edition_id: int
    sections: frozenset[str] = field(default_factory=frozenset)
    agencies: frozenset[str] = field(default_factory=frozenset)

    def wants(self, *, section: str, agency: str) -> bool:
        if self.sections and section not in self.sections:
            return False
        return not (self.agencies and agency.upper() not in self.agencies)


def editions_for(rules: Iterable[EditionRule], *, section: str, agency: str) -> list[int]:
    return [rule.edition_id for rule in rules if rule.wants(section=section, agency=agency)]
