"""Routes of this app: `page_urls` are mounted at the site root, `api_urls` under /api/."""

page_urls: list = []
api_urls: list = []
