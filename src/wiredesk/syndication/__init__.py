"""Syndication out: partners pushed to (webhook, FTP drop folder, email) and WebSub."""
