from django import forms


class SubmissionForm(forms.Form):
    # Required, so that the browser itself refuses the empty form; an empty file is still
    # let through to the service, whose message says why it is refused.
    file = forms.FileField(
        required=True,
        allow_empty_file=True,
        label="Submission file (CSV)",
        error_messages={"required": "Choose a CSV file to upload."},
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )
    description = forms.CharField(
        required=False,
        max_length=500,
        label="Description",
        widget=forms.TextInput(attrs={"placeholder": "What did you try? (optional)"}),
    )
