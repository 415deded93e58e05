"""Requirements by role (requirements/): runtime for the web and scoring images, baselines for
the GPU image, dev for developers and CI; every locked file hash-pinned, torch pinned by
version only (requirements/torch.txt), and the images never carry the test tools."""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"
LOCKS = ("runtime", "baselines", "dev")
TEST_TOOLS = (
    "pytest",
    "pytest-django",
    "hypothesis",
    "schemathesis",
    "playwright",
    "ruff",
    "scikit-learn",
    "pip-tools",
)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(role: str) -> dict[str, str]:
    """Package → version of a locked file."""
    text = (REQUIREMENTS / f"{role}.txt").read_text()
    return {
        normalized(match[1]): match[2]
        for line in text.splitlines()
        if (match := PIN.match(line.rstrip(" \\")))
    }


def requirement_blocks(role: str) -> list[str]:
    """Each requirement of a locked file with its continuation lines, comments dropped."""
    lines = [
        line
        for line in (REQUIREMENTS / f"{role}.txt").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    return "\n".join(lines).replace("\\\n", " ").splitlines()


@pytest.mark.parametrize("role", LOCKS)
def test_every_locked_requirement_is_pinned_with_hashes(role):
    blocks = requirement_blocks(role)
    assert blocks
    for block in blocks:
        assert PIN.match(block), block
        assert "--hash=sha256:" in block, block


@pytest.mark.parametrize("role", LOCKS)
def test_no_locked_file_pins_torch_or_a_cuda_build(role):
    names = pins(role)
    assert "torch" not in names
    assert not [name for name in names if name.startswith(("nvidia-", "triton"))]


def test_torch_is_pinned_by_version_alone_in_its_own_file():
    lines = [
        line
        for line in (REQUIREMENTS / "torch.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(lines) == 1 and re.fullmatch(r"torch==\d+\.\d+\.\d+", lines[0])


def test_the_runtime_images_carry_no_test_tools():
    runtime = pins("runtime")
    assert [tool for tool in TEST_TOOLS if tool in runtime] == []
    assert [tool for tool in TEST_TOOLS if tool in pins("baselines")] == []


def test_the_dev_lock_holds_the_tools_and_everything_the_images_hold_at_the_same_versions():
    dev = pins("dev")
    assert [tool for tool in TEST_TOOLS if tool not in dev] == []
    for role in ("runtime", "baselines"):
        differing = {
            name: version for name, version in pins(role).items() if dev.get(name) != version
        }
        assert differing == {}, role


def test_the_libraries_the_site_uses_are_in_the_runtime_lock():
    runtime = pins("runtime")
    for name in ("django", "icalendar", "scipy", "django-rest-knox", "celery", "pandas"):
        assert name in runtime


def test_the_clients_dependencies_are_in_the_dev_lock():
    """The editable client is installed without hashes: what it needs must come hashed."""
    project = tomllib.loads((ROOT / "client" / "pyproject.toml").read_text())["project"]
    dev = pins("dev")
    needed = [normalized(re.split(r"[<>=!~;\[ ]", spec)[0]) for spec in project["dependencies"]]
    assert [name for name in needed if name not in dev] == []


def test_scikit_learn_is_imported_by_tests_only():
    importing = [
        path.relative_to(ROOT).as_posix()
        for folder in ("challenges", "vsegrader", "baselines", "demo", "client", "bench")
        if (ROOT / folder).is_dir()
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"^\s*(from|import) sklearn\b", path.read_text(), re.MULTILINE)
    ]
    assert importing == []


def test_the_dockerfile_installs_runtime_and_only_the_gpu_image_adds_baselines():
    dockerfile = (ROOT / "Dockerfile").read_text()
    installs = re.findall(r"pip install [^\n&;]*", dockerfile)
    assert any("--require-hashes -r requirements/runtime.txt" in line for line in installs)
    assert not [line for line in installs if "dev.txt" in line or "dev.in" in line]
    gpu_only = dockerfile.split('if [ -n "$TORCH_INDEX_URL" ]', 1)[1].split("fi", 1)[0]
    assert "--require-hashes -r requirements/baselines.txt" in gpu_only
    assert "-r requirements/torch.txt --index-url" in gpu_only
