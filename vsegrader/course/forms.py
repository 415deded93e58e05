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
