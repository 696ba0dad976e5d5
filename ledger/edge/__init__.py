"""What the edges (web pages, JSON API, CLI) share: refusals and their messages in the
reader's language, plain words for accounts and dates, which books a request sees, URL
converters and request uploads."""
