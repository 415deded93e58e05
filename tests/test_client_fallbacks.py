"""When the check with pyarrow cannot be used although pyarrow is installed: pyarrow 26
refuses NumPy 1.x at import, and a student's environment may well hold both. The command
line then checks in plain Python, with the same messages and a note saying why it is
slower, never an "unexpected error" (found trying the client as a student would)."""

import pytest

from challenges.models import Submission
from tests.cli_helpers import (  # noqa: F401 - the *_fixture imports register fixtures
    cli_home_fixture,
    fresh_throttle_counts_fixture,
    run_console_script,
    site_fixture,
    token_for,
)

pytestmark = pytest.mark.django_db(transaction=True)
REFUSAL = "pyarrow requires NumPy 2.0 or newer, found 1.26.4"


@pytest.fixture(name="unusable_pyarrow")
def unusable_pyarrow_fixture(tmp_path) -> dict:
    """An environment in which `pyarrow` is found but refuses to import, as pyarrow 26 does
    beside NumPy 1.26 (the checking process inherits it too)."""
    package = tmp_path / "shadow" / "pyarrow"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(f"raise ImportError({REFUSAL!r})\n")
    return {"PYTHONPATH": str(package.parent)}


def test_an_unusable_pyarrow_leaves_the_check_to_plain_python_with_a_note(
    site, cli_home, student, challenge, unusable_pyarrow
):
    challenge.max_file_mb = 50
    challenge.save()
    rows = [f"{i},0.5\n" for i in range(1, 21)] + [f"{1000 + i},0.5\n" for i in range(400_000)]
    (cli_home / "big.csv").write_text("id,y\n" + "".join(rows))  # 4.4 MB: pyarrow's size
    env = {"VSEGRADER_URL": site, "VSEGRADER_TOKEN": token_for(student), **unusable_pyarrow}
    submit = ("c", "submit", "tiny-1d", "-f", "big.csv", "-m", "x")
    result = run_console_script(*submit, home=cli_home, env=env)
    assert result.code == 5, result.err
    lines = result.err.splitlines()
    assert lines[0] == (
        f"vsegrader: note: pyarrow cannot be used ({REFUSAL}); the file is checked in plain "
        "Python, which takes longer."
    )
    assert lines[1].startswith("vsegrader: Not submitted (no submission used): ")
    assert "400,000 rows: unknown id" in lines[1]
    assert sum("note:" in line for line in lines) == 1  # told once
    assert not Submission.objects.exists()
