"""Telling a PPTX deck from other zips while reading only the end of the file.

The zip's end record gives its entry count and the size of its central directory. A deck
has a few hundred entries; an archive with more than MAX_ENTRIES, a directory larger than
MAX_DIRECTORY_BYTES, or Zip64 records (only archives of 65,535+ entries or 4 GB need them)
is refused before the directory is parsed, so a 34 MB zip of 400,000 empty entries costs a
read of its last 64 kB, not seconds and hundreds of MB in a web worker.
"""

import struct
import zipfile

PPTX_MARKER = "ppt/presentation.xml"
MAX_ENTRIES = 5000
MAX_DIRECTORY_BYTES = 1024 * 1024
END_RECORD = b"PK\x05\x06"
END_RECORD_SIZE = 22
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_LOCATOR_SIZE = 20
MAX_COMMENT = 65535


def directory_bounds(file) -> tuple[int, int] | None:
    """(entries, directory bytes) from the end record; None if there is none, or Zip64."""
    file.seek(0, 2)
    size = file.tell()
    tail_size = min(size, END_RECORD_SIZE + MAX_COMMENT + ZIP64_LOCATOR_SIZE)
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    at = tail.rfind(END_RECORD)
    if at < 0 or len(tail) - at < END_RECORD_SIZE:
        return None
    locator = tail[max(at - ZIP64_LOCATOR_SIZE, 0) : at]
    if locator.startswith(ZIP64_LOCATOR):
        return None
    entries, directory_bytes = struct.unpack("<HI", tail[at + 10 : at + 16])
    return entries, directory_bytes


def is_pptx(file) -> bool:
    """True for a zip of bounded size whose entries include ppt/presentation.xml."""
    try:
        bounds = directory_bounds(file)
        if bounds is None or bounds[0] > MAX_ENTRIES or bounds[1] > MAX_DIRECTORY_BYTES:
            return False
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            return PPTX_MARKER in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, struct.error):
        return False
    finally:
        file.seek(0)
