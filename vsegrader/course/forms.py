from django import forms

from vsegrader.course.models import Deliverable, ProjectGroup, ProjectTopic
from vsegrader.course.projects import topics_by_family

OWN_TOPIC = ""


class GroupCreateForm(forms.Form):
    name = forms.CharField(max_length=80, label="Group name")
    topic = forms.ChoiceField(
        required=False,
        label="Topic",
        help_text="From the course's idea list, or leave it at 'my own topic' and name it below.",
    )
    own_topic = forms.CharField(max_length=200, required=False, label="Own topic")
    description = forms.CharField(
        required=False,
        max_length=2000,
        label="Short description",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What will you try, on what data?"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        families = [
            (family, [(str(topic.pk), topic.title) for topic in topics])
            for family, topics in topics_by_family().items()
        ]
        self.fields["topic"].choices = [(OWN_TOPIC, "— my own topic —"), *families]

    def clean_topic(self) -> ProjectTopic | None:
        value = self.cleaned_data.get("topic")
        return ProjectTopic.objects.filter(pk=value).first() if value else None

    def clean(self):
        data = super().clean()
        if not data.get("topic") and not (data.get("own_topic") or "").strip():
            self.add_error("own_topic", "Choose a topic from the list or name your own.")
        return data


class JoinForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label="Invitation code",
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "ABCD2345"}),
    )


class DeliverableForm(forms.Form):
    kind = forms.ChoiceField(choices=Deliverable.Kind.choices, label="What")
    file = forms.FileField(
        label="File",
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.pptx"}),
    )


class MarkForm(forms.Form):
    """The group's mark and feedback, plus one adjustment field per member."""

    mark = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        label="Project mark (%)",
    )
    feedback = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}), label="Feedback"
    )
    released = forms.BooleanField(required=False, label="Released to the group")

    def __init__(self, *args, group: ProjectGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = list(group.memberships.select_related("user"))
        for membership in self.memberships:
            self.fields[self.adjust_field(membership)] = forms.DecimalField(
                min_value=-100,
                max_value=100,
                decimal_places=2,
                initial=membership.adjustment,
                label=f"Adjustment for {membership.user.get_full_name() or membership.user}",
            )

    @staticmethod
    def adjust_field(membership) -> str:
        return f"adjust-{membership.pk}"

    def adjustments(self):
        return [(m, self.cleaned_data[self.adjust_field(m)]) for m in self.memberships]

    def adjustment_fields(self):
        return [self[self.adjust_field(m)] for m in self.memberships]


# --- a challenge's grading rule, as a form ------------------------------------------------

RULE_CHOICES = [
    ("tiers", "Score tiers, with optional full marks for the top K"),
    ("score_or_percentile", "max(score, 1 − (rank − 1) / N): accuracy-like scores in 0..1"),
    ("linear", "Linear: 0 at a zero score, 1 at a target score"),
]
TOP_K_MESSAGE = (
    "Top K must be a whole number of at least 1; leave it empty for no full marks by rank."
)


class RuleForm(forms.Form):
    """The rule type and its settings; the tiers come in `TierFormSet`."""

    rule = forms.ChoiceField(choices=RULE_CHOICES, label="Rule", widget=forms.RadioSelect)
    boundary = forms.ChoiceField(
        choices=[
            ("strict", "strict: the score must beat the threshold (MSE < 0.1)"),
            ("inclusive", "inclusive: reaching the threshold is enough (MSE ≤ 0.1)"),
        ],
        initial="strict",
        label="Boundary",
    )
    full_marks_top = forms.IntegerField(
        required=False,
        min_value=1,
        label="Full marks for the top K",
        help_text="Students ranked 1..K get 1.0 whatever their score; empty: nobody by rank.",
        error_messages={"min_value": TOP_K_MESSAGE, "invalid": TOP_K_MESSAGE},
    )
    target = forms.CharField(
        required=False,
        max_length=40,
        label="Target score (mark 1)",
        help_text="A score, or empty for the best student's score.",
    )
    zero = forms.FloatField(
        required=False,
        label="Zero score (mark 0)",
        help_text="Empty: the best baseline's score on the board.",
        error_messages={"invalid": "The zero score must be a number, or empty for the baseline."},
    )

    def clean_target(self) -> float | None:
        text = self.cleaned_data.get("target", "").strip()
        if text in ("", "best"):
            return None
        try:
            return float(text)
        except ValueError:
            raise forms.ValidationError(
                f"The target must be a score (a number) or empty for the best student's score, "
                f"not '{text}'."
            ) from None


class TierForm(forms.Form):
    """One tier: scores beyond `threshold` earn at least `mark`. A blank row is dropped."""

    threshold = forms.FloatField(
        required=False,
        error_messages={"invalid": "The threshold must be a number (a score)."},
    )
    mark = forms.FloatField(
        required=False,
        error_messages={"invalid": "The mark must be a number between 0 and 1."},
    )

    def clean(self):
        data = super().clean()
        threshold, mark = data.get("threshold"), data.get("mark")
        if threshold is None and mark is None:
            return data
        if threshold is None and "threshold" not in self.errors:
            self.add_error("threshold", "Give the tier's threshold too, or clear its mark.")
        if mark is None and "mark" not in self.errors:
            self.add_error("mark", "Give the tier's mark too, or clear its threshold.")
        if mark is not None and not 0 <= mark <= 1:
            self.add_error(
                "mark",
                f"A mark lies between 0 and 1 (the share of this challenge's marks), not {mark:g}.",
            )
        return data

    def pair(self) -> tuple[float, float] | None:
        data = getattr(self, "cleaned_data", {})
        if data.get("threshold") is None or data.get("mark") is None:
            return None
        return (data["threshold"], data["mark"])


TierFormSet = forms.formset_factory(TierForm, extra=2, max_num=20, validate_max=True)
