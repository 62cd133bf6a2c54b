"""The newsroom's tables: its record (``core``) and what story intelligence keeps
(``intelligence``). Import models from here; the split is only for reading."""

from wiredesk.newsroom.models.core import (
    Agency,
    Article,
    Feed,
    Revision,
    Section,
    Tombstone,
)
from wiredesk.newsroom.models.intake import Intake
from wiredesk.newsroom.models.intelligence import (
    ArticleSignature,
    ArticleTag,
    DuplicateVeto,
    EnrichmentDue,
    LshBand,
    RelatedStory,
    SectionModel,
    SourceLine,
    Story,
    StoryMerged,
    StoryTerm,
    Tag,
    TermFrequency,
)
from wiredesk.newsroom.models.pictures import (
    PictureAsset,
    PictureLink,
    PictureSource,
    WirePicture,
)
from wiredesk.newsroom.models.schedule import Schedule

__all__ = [
    "Agency",
    "Article",
    "ArticleSignature",
    "ArticleTag",
    "DuplicateVeto",
    "EnrichmentDue",
    "Feed",
    "Intake",
    "LshBand",
    "PictureAsset",
    "PictureLink",
    "PictureSource",
    "RelatedStory",
    "Revision",
    "Schedule",
    "Section",
    "SectionModel",
    "SourceLine",
    "Story",
    "StoryMerged",
    "StoryTerm",
    "Tag",
    "TermFrequency",
    "Tombstone",
    "WirePicture",
]
