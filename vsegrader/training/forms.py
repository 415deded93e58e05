"""Forms of the training pages."""

from django import forms

from vsegrader.training.models import BaselineRun


class BaselineRunForm(forms.Form):
    mode = forms.ChoiceField(choices=[("full", "full"), ("quick", "quick")], initial="full")
    device = forms.ChoiceField(choices=BaselineRun.Device.choices, initial="auto")
    seed = forms.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
