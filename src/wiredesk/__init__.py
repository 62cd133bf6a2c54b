"""wiredesk: a wire desk and syndication platform for news publishers."""

__version__ = "0.1.0"
