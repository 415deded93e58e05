from django import forms


class SubmissionForm(forms.Form):
    file = forms.FileField(
        required=False,
        allow_empty_file=True,
        label="Submission file (CSV)",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    description = forms.CharField(
        required=False,
        max_length=500,
        label="Description",
        widget=forms.TextInput(attrs={"placeholder": "What did you try?"}),
    )
