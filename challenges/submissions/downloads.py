"""A submission's stored file as a download, the same for the page and the API."""

from django.http import FileResponse, Http404

from challenges.models import Submission
from challenges.submissions import retention


def submission_download(submission: Submission) -> FileResponse:
    """The file as a CSV attachment named by the site (never by the student's file name);
    404 once retention has deleted it. The caller checks who may see the submission
    (`selectors.submission_get`)."""
    if not submission.file:
        raise Http404(retention.file_gone_message())
    handle = submission.file.open("rb")
    return FileResponse(
        handle, as_attachment=True, filename=submission.file_name, content_type="text/csv"
    )
