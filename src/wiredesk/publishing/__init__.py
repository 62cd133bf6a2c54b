"""What an edition publishes besides its pages: feeds, sitemaps, structured data, page cache."""
