"""Pictures of test examples for the reports, made once in the worker from the challenge's
public data files (the zipped test folder students download), stored as data URIs in the
reports. Nothing here reads the hidden solution."""

import io
import logging
import tempfile
import zipfile
from pathlib import PurePosixPath

from PIL import Image

from challenges.bundles.previews import data_uri, filmstrip, read_frames

log = logging.getLogger(__name__)

THUMBNAIL = (96, 96)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp"}


def member_index(archive: zipfile.ZipFile) -> dict[str, str]:
    """Test example id -> member name, by file name and by stem (test/<id>.png)."""
    index = {}
    for name in archive.namelist():
        path = PurePosixPath(name)
        if name.endswith("/") or not path.parts or path.parts[0] != "test":
            continue
        index.setdefault(path.stem, name)
        index[path.name] = name
    return index


def picture(archive: zipfile.ZipFile, member: str) -> str:
    data = archive.read(member)
    if PurePosixPath(member).suffix.lower() in IMAGE_SUFFIXES:
        with Image.open(io.BytesIO(data)) as image:
            image = image.convert("RGB") if image.mode not in ("L", "RGB") else image.copy()
            image.thumbnail(THUMBNAIL)
            return data_uri(image)
    with tempfile.NamedTemporaryFile(suffix=PurePosixPath(member).suffix) as clip:
        clip.write(data)
        clip.flush()
        return filmstrip(read_frames(PurePosixPath(clip.name)))


def pictures(challenge, ids: dict[int, str]) -> dict[int, str]:
    """row -> data URI for the rows whose test example can be found; {} when there are none."""
    data_file = challenge.files.filter(name="test.zip").first()
    if data_file is None or not ids:
        return {}
    found = {}
    try:
        with data_file.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
            index = member_index(archive)
            for row, id_ in ids.items():
                if id_ in index:
                    found[row] = picture(archive, index[id_])
    except (OSError, ValueError, zipfile.BadZipFile) as exc:  # pictures never stop a report
        log.warning("No example pictures for %s: %s", challenge.slug, exc)
    return found
