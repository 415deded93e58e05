"""The grading-rules form as one thing: the rule's settings (`RuleForm`) and its tiers
(`TierFormSet`) in, a `[grading]` table out, with every problem said in words.

The table it makes is the one a bundle's challenge.toml gives (`grading.parse_rule` reads
both), so a rule edited here and a rule imported from a bundle are the same thing."""

from vsegrader.course import grading
from vsegrader.course.forms import RuleForm, TierFormSet

TIERS_PREFIX = "tiers"
NO_TIERS = "Give at least one tier: a threshold and the mark a score beyond it earns."


def initial_values(table: dict) -> tuple[dict, list[dict]]:
    """The form's and the tier rows' starting values from a challenge's `grading` table,
    read leniently (a broken table still fills what it can)."""
    table = table if isinstance(table, dict) else {}
    rule = table.get("rule") if table.get("rule") in grading.RULES else "tiers"
    target = table.get("target", "best")
    values = {
        "rule": rule,
        "boundary": table.get("boundary", "strict"),
        "full_marks_top": table.get("full_marks_top") or None,
        "target": "" if target == "best" else target,
        "zero": table.get("zero"),
    }
    tiers = table.get("tiers") if isinstance(table.get("tiers"), list) else []
    rows = [
        {"threshold": pair[0], "mark": pair[1]}
        for pair in tiers
        if isinstance(pair, list | tuple) and len(pair) == 2
    ]
    return values, rows


class RuleEditor:
    """Bound to POST data, or unbound with the challenge's current rule (or `table`)."""

    def __init__(self, data=None, *, challenge, table: dict | None = None):
        values, rows = initial_values(challenge.grading if table is None else table)
        self.higher_is_better = challenge.higher_is_better
        self.form = RuleForm(data, initial=values)
        # Bound rows get no initial values: an extra row equal to its initial one would
        # count as untouched, and its tier would be dropped.
        self.tiers = TierFormSet(data, initial=None if data else rows, prefix=TIERS_PREFIX)
        self.problems: list[str] = []  # about the rule as a whole

    def is_valid(self) -> bool:
        fields_ok = self.form.is_valid()
        tiers_ok = self.tiers.is_valid()
        if not (fields_ok and tiers_ok):
            return False
        self.problems = self.rule_problems()
        return not self.problems

    def pairs(self) -> list[tuple[float, float]]:
        return [pair for form in self.tiers.forms if (pair := form.pair()) is not None]

    def table(self) -> dict:
        """The `[grading]` table the valid form describes."""
        data = self.form.cleaned_data
        name = data["rule"]
        if name == "tiers":
            table = {"rule": name, "tiers": [list(pair) for pair in self.easiest_first()]}
            table["boundary"] = data["boundary"]
            if data["full_marks_top"]:
                table["full_marks_top"] = data["full_marks_top"]
            return table
        if name == "linear":
            table = {"rule": name, "target": "best" if data["target"] is None else data["target"]}
            if data["zero"] is not None:
                table["zero"] = data["zero"]
            return table
        return {"rule": name}

    def easiest_first(self) -> list[tuple[float, float]]:
        direction = 1 if self.higher_is_better else -1
        return sorted(self.pairs(), key=lambda pair: direction * pair[0])

    def rule_problems(self) -> list[str]:
        name = self.form.cleaned_data["rule"]
        if name == "tiers":
            if not self.pairs():
                return [NO_TIERS]
            problems = grading.tier_problems(self.pairs(), higher_is_better=self.higher_is_better)
            if problems:
                return [sentence(problem) for problem in problems]
        try:
            grading.parse_rule(self.table(), higher_is_better=self.higher_is_better)
        except grading.RuleError as error:
            return [sentence(problem) for problem in error.errors]
        return []


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
