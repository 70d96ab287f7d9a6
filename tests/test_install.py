"""A plain install leaves TensorFlow out: what needs it says what to install."""

import sys
from pathlib import Path

import pytest

from metaselect.cli import main
from metaselect.metamodel import MetaTable, fine_tune, train_metamodel

INSTALL_HINT = "pip install 'metaselect[train]'"


@pytest.fixture
def without_tensorflow(monkeypatch):
    """Make ``import tensorflow`` / ``import keras`` fail as on a plain install."""
    for name in ("tensorflow", "keras"):
        monkeypatch.setitem(sys.modules, name, None)


@pytest.mark.parametrize("argv", [
    ["train-meta", "--kb", "no-such-kb", "--out", "out"],
    ["fine-tune", "no-such-experience", "--out", "out"],
])
def test_training_commands_without_tensorflow_say_what_to_install(without_tensorflow, argv, capsys):
    assert main(argv) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and INSTALL_HINT in lines[0] and lines[0].startswith(f"metaselect {argv[0]}")
    assert "Traceback" not in captured.err and captured.out == ""


@pytest.mark.parametrize("train", [train_metamodel, fine_tune])
def test_training_functions_without_tensorflow_raise_import_error(without_tensorflow, train):
    table = MetaTable.__new__(MetaTable)  # never read: TensorFlow is needed first
    with pytest.raises(ImportError, match=r"metaselect\[train\]"):
        if train is train_metamodel:
            train(table)
        else:
            train(None, table)


def test_tensorflow_is_an_extra_that_the_tests_extra_brings():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    assert not any(dep.startswith(("tensorflow", "keras")) for dep in project["dependencies"])
    extras = project["optional-dependencies"]
    assert any(dep.startswith("tensorflow") for dep in extras["train"])
    assert "metaselect[train]" in extras["tests"]
