"""How equal scores rank: one rule for the boards, the Kaggle-format CSV and the grades.

Pure: no Django. The ranked rows come in board order (best score first; among equal scores
the earlier submission first), and a policy turns that order into ranks:

- "kaggle": consecutive ranks in board order (1, 2, 3, 4), as Kaggle's leaderboard and its
  `Rank` column do, so a notebook reading the exported CSV sees the same ranks;
- "shared": equal scores share the better rank (1, 2, 2, 4; competition ranking).

A challenge's policy is its own override or, when that is blank, the course's setting
(`Challenge.ties`; the course app keeps `Challenge.course_tie_policy` in step).
"""

from collections.abc import Sequence

KAGGLE = "kaggle"
SHARED = "shared"
TIE_POLICIES = (KAGGLE, SHARED)
DEFAULT_TIE_POLICY = KAGGLE
CHOICES = (
    (KAGGLE, "Kaggle: the earlier submission first, consecutive ranks (1, 2, 3, 4)"),
    (SHARED, "shared: equal scores share the better rank (1, 2, 2, 4)"),
)


def check_policy(policy: str) -> str:
    if policy not in TIE_POLICIES:
        raise ValueError(f"tie policy must be one of {', '.join(TIE_POLICIES)}, not {policy!r}")
    return policy


def assign_ranks(scores: Sequence[float], policy: str = DEFAULT_TIE_POLICY) -> list[int]:
    """The ranks of `scores`, given in board order (best first, earlier first on ties)."""
    check_policy(policy)
    result: list[int] = []
    for position, score in enumerate(scores, start=1):
        tied = policy == SHARED and result and scores[position - 2] == score
        result.append(result[-1] if tied else position)
    return result


def describe(policy: str) -> str:
    """The policy in words, for the pages that show a rank."""
    if check_policy(policy) == SHARED:
        return "equal scores share the better rank (1, 2, 2, 4)"
    return "among equal scores the earlier submission ranks first (1, 2, 3, 4, as on Kaggle)"
