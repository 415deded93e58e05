"""Code attached to final submissions: the one service that accepts it (page and API both
call `code_attach`), the checks on its content, and its similarity across the class.

Content checks, decided here: at most MAX_CODE_BYTES; a .ipynb must be UTF-8 JSON whose top
level is an object with a `cells` list and an integer `nbformat`; a .py must be UTF-8 text
without NUL bytes that compiles (`compile(..., "exec")`, never run). The file name only
chooses which of the two checks applies; what is served back is decided by the kind."""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePath

from challenges.insights import winnowing
from challenges.insights.models import AttachedCode
from challenges.models import Challenge, Submission
from vsegrader.refusals import Refused

MAX_CODE_BYTES = 2 * 1024 * 1024
CONTENT_TYPES = {
    AttachedCode.Kind.NOTEBOOK: "application/x-ipynb+json",
    AttachedCode.Kind.SCRIPT: "text/x-python; charset=utf-8",
}


class CodeRefused(Refused):
    pass


def code_attach(*, submission: Submission, user, upload) -> AttachedCode:
    """Attaches (or replaces) the code behind the caller's own final submission."""
    require_attachable(submission, user)
    if upload is None:
        raise CodeRefused("Choose a .ipynb or .py file.", "code_missing")
    content = upload.read(MAX_CODE_BYTES + 1)
    if len(content) > MAX_CODE_BYTES:
        raise CodeRefused(
            f"The code is larger than {MAX_CODE_BYTES // 1024 // 1024} MB.", "code_too_large"
        )
    kind = kind_of(upload.name or "")
    check_content(content, kind)
    source = winnowing.code_source(content, kind)
    code, _ = AttachedCode.objects.update_or_create(
        submission=submission,
        defaults={
            "kind": kind,
            "file_name": PurePath(upload.name).name[:255],
            "content": content,
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
            "fingerprints": [list(f) for f in winnowing.fingerprints(source)],
        },
    )
    return code


def require_attachable(submission: Submission, user) -> None:
    if submission.user_id != user.pk:
        raise CodeRefused("Only its author can attach code to a submission.", "not_yours")
    if not submission.challenge.accepts_code:
        raise CodeRefused("This challenge does not collect code.", "code_not_collected")
    if not submission.is_final:
        raise CodeRefused("Mark the submission final before attaching its code.", "not_final")


def kind_of(name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    if suffix == ".ipynb":
        return AttachedCode.Kind.NOTEBOOK
    if suffix == ".py":
        return AttachedCode.Kind.SCRIPT
    raise CodeRefused("Attach a Jupyter notebook (.ipynb) or a Python script (.py).", "code_type")


def check_content(content: bytes, kind: str) -> None:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CodeRefused("The file is not UTF-8 text.", "code_not_text") from error
    if kind == AttachedCode.Kind.NOTEBOOK:
        check_notebook(text)
    else:
        check_script(text)


def check_notebook(text: str) -> None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise CodeRefused("The notebook is not valid JSON.", "code_not_notebook") from error
    if not (
        isinstance(data, dict)
        and isinstance(data.get("cells"), list)
        and isinstance(data.get("nbformat"), int)
    ):
        raise CodeRefused(
            "The notebook lacks the `cells` and `nbformat` of a Jupyter notebook.",
            "code_not_notebook",
        )


def check_script(text: str) -> None:
    if "\x00" in text:
        raise CodeRefused("The script contains NUL bytes.", "code_not_text")
    try:
        compile(text, "<attached>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise CodeRefused(f"The script is not valid Python: {error}", "code_not_python") from error


# --- similarity across the class (worker) ------------------------------------------------


def class_code(challenge: Challenge):
    """Each student's latest code attached to a final submission of theirs."""
    rows = (
        AttachedCode.objects.filter(
            submission__challenge=challenge,
            submission__is_final=True,
            submission__is_baseline=False,
        )
        .select_related("submission__user")
        .order_by("uploaded_at", "pk")
    )
    return {row.submission.user_id: row for row in rows}.values()


def code_signature(challenge: Challenge) -> list:
    return sorted([c.submission_id, c.sha256] for c in class_code(challenge))


def code_flags(challenge: Challenge) -> list[dict]:
    """Flagged pairs of attached code, shaped like the integrity report's other flags."""
    codes = {c.submission.user_id: c for c in class_code(challenge)}
    files = {owner: [tuple(f) for f in c.fingerprints] for owner, c in codes.items()}
    return [
        {
            "kind": "code",
            "user_a": pair.a,
            "user_b": pair.b,
            "name_a": codes[pair.a].submission.user.username,
            "name_b": codes[pair.b].submission.user.username,
            "submission_a": codes[pair.a].submission_id,
            "submission_b": codes[pair.b].submission_id,
            "similarity": pair.similarity,
            "shared": pair.shared,
            "lines_a": pair.lines_a,
            "lines_b": pair.lines_b,
        }
        for pair in winnowing.similar_pairs(files)
    ]
