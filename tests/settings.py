"""The site's settings, adjusted for the test suite: throwaway folders, fast hashing.

Worker processes that integration tests start read the same module (and environment).
"""

import os
import tempfile

os.environ.setdefault("VSEGRADER_VAR_DIR", tempfile.mkdtemp(prefix="vsegrader-test-"))

from vsegrader.settings import *  # noqa: E402,F403
from vsegrader.settings import DATABASES, STATIC_ROOT, VAR_DIR  # noqa: E402

STATIC_ROOT.mkdir(parents=True, exist_ok=True)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SUBMISSION_UPLOAD_RATE = ""  # tests upload faster than a student; test_upload_bounds sets it
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a worker process can open the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
