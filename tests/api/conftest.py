# The publishing tests build the same small site the API serves.
from tests.publishing.conftest import site, world_story  # noqa: F401
