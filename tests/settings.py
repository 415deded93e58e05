"""The site's settings, adjusted for the test suite: throwaway folders, fast hashing.

Worker processes that integration tests start read the same module (and environment).
"""

import os
import tempfile

os.environ.setdefault("VSEGRADER_VAR_DIR", tempfile.mkdtemp(prefix="vsegrader-test-"))
# DEBUG is off, as in production, so the site needs a key of its own (any but the public one).
os.environ.setdefault("SECRET_KEY", "test-suite-only-secret-key-not-for-any-site")

from vsegrader.settings import *  # noqa: E402,F403
from vsegrader.settings import DATABASES, STATIC_ROOT, VAR_DIR  # noqa: E402

STATIC_ROOT.mkdir(parents=True, exist_ok=True)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SUBMISSION_UPLOAD_RATE = ""  # tests upload faster than a student; test_upload_bounds sets it
# The test client and the live server speak plain HTTP: no HTTPS redirect, secure cookies or HSTS.
SECURE_HTTPS = SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a worker process can open the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
