import shutil
from pathlib import Path

import pytest

from nmahp.navigator.content import content_dir, load_content


@pytest.fixture(scope="session")
def content():
    return load_content()


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A copy of the real content folder, for tests that break one file."""
    target = tmp_path / "content"
    shutil.copytree(content_dir(), target)
    return target


@pytest.fixture
def tiny(tmp_path):
    """A small content folder written inline: the real questions, professions and stages, plus the
    schemes given as YAML text."""

    def build(schemes_yaml: str):
        target = tmp_path / "tiny"
        target.mkdir(exist_ok=True)
        for name in ("questions", "professions", "stages", "starts", "employment"):
            shutil.copy(content_dir() / f"{name}.yaml", target / f"{name}.yaml")
        (target / "glossary.yaml").write_text("terms: []\n", encoding="utf-8")
        (target / "schemes.yaml").write_text(schemes_yaml, encoding="utf-8")
        return load_content(target)

    return build
