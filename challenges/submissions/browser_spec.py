"""What the browser's file check (challenges/static/js/filecheck.js) needs to know about a
challenge's submission file, as JSON: the columns and their kinds and labels, the row count,
the upload limit and the test set's ids.

Everything here is public already: the format is in the API's `submission_spec`, and the ids
come from the sample submission a student downloads, read as the command-line client reads
them (`vsegrader_client.submitting.expected_ids`), never from the hidden solution.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET
from vsegrader_client.format.check import id_index, sample_ids

from challenges import selectors
from challenges.bundles.reader import is_sample_name
from challenges.models import Challenge, DataFile
from challenges.scoring import SubmissionSpec

MB = 1024 * 1024
CACHE_SECONDS = 300  # a re-imported bundle reaches open pages within minutes


@login_required
@require_GET
def submission_spec_json(request, slug: str) -> JsonResponse:
    challenge = selectors.challenge_get(slug=slug, user=request.user)
    response = JsonResponse(browser_spec(challenge))
    response["Cache-Control"] = f"private, max-age={CACHE_SECONDS}"
    return response


def browser_spec(challenge: Challenge) -> dict:
    return spec_json(challenge.spec, expected_ids(challenge), upload_limit(challenge))


def spec_json(spec: SubmissionSpec, ids: list[str] | None, max_bytes: int) -> dict:
    """What filecheck.js checks a file against (its docstring gives the shape)."""
    return {
        "id_column": spec.id_column,
        "columns": list(spec.columns),
        "targets": [
            {"name": t.name, "kind": t.kind, "labels": list(t.labels)} for t in spec.targets
        ],
        "row_count": spec.row_count,
        "ids": ids,
        "max_bytes": max_bytes,
    }


def upload_limit(challenge: Challenge) -> int:
    """The size `intake.check_upload` refuses above."""
    return min(challenge.max_file_mb * MB, settings.SUBMISSION_MAX_BYTES)


def expected_ids(challenge: Challenge) -> list[str] | None:
    """The ids file's ids (the sample submission's, when no ids file is named); None when
    there is no usable one, and then the browser checks the row count only."""
    data_file = ids_data_file(challenge)
    if data_file is None:
        return None
    ids = _ids_of(data_file.pk, data_file.sha256, challenge.id_column, challenge.row_count)
    return None if ids is None else list(ids)


def ids_data_file(challenge: Challenge) -> DataFile | None:
    files = list(challenge.files.all())
    named = [f for f in files if f.name == challenge.ids_file] if challenge.ids_file else []
    samples = named or [f for f in files if is_sample_name(f.name)]
    return samples[0] if samples else None


@functools.lru_cache(maxsize=16)
def _ids_of(pk: int, sha256: str, id_column: str, row_count: int) -> tuple[str, ...] | None:
    """Read once per file version (its hash is in the key): a sample can hold a million ids."""
    with DataFile.objects.get(pk=pk).file.open("rb") as handle:
        index = id_index(sample_ids(handle.read(), id_column, row_count))  # None: a repeat
    return None if index is None else tuple(index.ids.to_pylist())
