"""The learned portfolio: greedy order, cost-awareness, the shipped file and its schema checks."""

import json
import subprocess
import sys

import numpy as np
import pytest

from metaselect.metamodel import (
    PORTFOLIO_SCHEMA_VERSION,
    LearnedPortfolio,
    MetaTable,
    greedy_portfolio,
    load_learned_portfolio,
)
from metaselect.portfolio import Config

# Three datasets, four configurations: c0 is best on average, c2 covers the dataset c0 is
# bad at (so greedy takes it second, although c1's mean is higher), c3 is c1 but cheap.
TARGET = np.array([[1.0, 0.8, 0.0, 0.8],
                   [1.0, 0.8, 0.0, 0.8],
                   [0.2, 0.5, 1.0, 0.5]])


def test_greedy_starts_with_the_best_mean_then_complements_it():
    assert greedy_portfolio(TARGET) == [0, 2, 1, 3]


def test_gain_per_second_prefers_cheap_complements_but_keeps_the_sbs_first():
    seconds = np.tile([10.0, 10.0, 50.0, 0.1], (3, 1))
    order = greedy_portfolio(TARGET, seconds, cost_power=1.0)
    assert order[0] == 0  # the SBS whatever it costs
    assert order[1] == 3  # gain 0.3/3 at 0.1 s beats c2's 0.8/3 at 50 s


def test_cells_not_run_neither_gain_nor_lose():
    target = TARGET.copy()
    target[2, 2] = np.nan  # c2 not run where it would have helped
    assert greedy_portfolio(target)[1] == 1


def test_bad_target_is_named():
    with pytest.raises(ValueError, match="non-empty 2-d"):
        greedy_portfolio(np.zeros(3))


def _table(scores, ids, task="classification"):
    scores = np.asarray(scores, dtype=float)
    n = len(scores)
    return MetaTable(task, [f"d{i}" for i in range(n)], [f"g{i}" for i in range(n)],
                     np.zeros((n, 1)), ["m"], ids, np.zeros((len(ids), 2)), scores,
                     np.log1p(np.ones_like(scores)))


def test_tables_combine_by_configuration_value_and_round_trip(tmp_path):
    a, b, c = (Config("random_forest", {"n": i}) for i in range(3))
    first = _table([[0.9, 0.5], [0.9, 0.5]], ["x", "y"])
    second = _table([[0.2, 0.9]], ["p", "q"])  # another table: columns (c, a)
    portfolio = LearnedPortfolio.from_tables({"classification": [(first, [a, b]), (second, [c, a])]})
    members = portfolio.configs("classification")
    assert members[0] == a and set(members) == {a, b, c}
    entry = portfolio.tasks["classification"]
    assert entry["n_datasets"] == 3
    path = tmp_path / "portfolio.json"
    portfolio.save(path)
    assert load_learned_portfolio(path).configs("classification") == members
    assert portfolio.configs("regression") == []


@pytest.mark.parametrize("change, message", [
    ({"schema_version": PORTFOLIO_SCHEMA_VERSION + 1}, "schema version"),
    ({"format": "something else"}, "not a learned portfolio"),
    ({"encoding_version": -1}, "encoding version"),
    ({"tasks": {"classification": {"members": [{"family": 3}]}}}, "needs 'members'"),
])
def test_bad_files_are_refused_with_the_reason(tmp_path, change, message):
    data = dict(load_learned_portfolio().to_dict(), **change)
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=message):
        load_learned_portfolio(path)


def test_not_json_is_named(tmp_path):
    path = tmp_path / "p.json"
    path.write_text("{")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_learned_portfolio(path)


def test_shipped_portfolio_matches_the_knowledge_base_and_starts_with_the_sbs():
    from metaselect.knowledge import load_knowledge_base
    from metaselect.metamodel import table_from_knowledge_base

    kb = load_knowledge_base()
    shipped = load_learned_portfolio()
    for task in ("classification", "regression"):
        table = table_from_knowledge_base(kb, task)
        configs = [kb.config_sets[task][cid] for cid in table.config_ids]
        sbs = configs[int(np.argmax(table.target.mean(0)))]
        members = shipped.configs(task)
        assert members[0] == sbs
        assert len(members) == 32
        expected = [configs[j] for j in greedy_portfolio(table.target, size=32)]
        assert members == expected  # rebuilt from the shipped knowledge base, not stale


def test_building_does_not_import_tensorflow():
    code = ("import sys\nfrom metaselect.knowledge import load_knowledge_base\n"
            "from metaselect.metamodel import LearnedPortfolio\n"
            "LearnedPortfolio.from_knowledge_base(load_knowledge_base(), tasks=['regression'])\n"
            "assert 'tensorflow' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_rebuilt_from_another_knowledge_base_and_not_from_a_folder(tmp_path):
    from sklearn.datasets import make_regression

    from metaselect.datasets import add_dataset
    from metaselect.knowledge import build_knowledge_base

    for seed in range(2):
        X, y = make_regression(60, 3, random_state=seed)
        add_dataset(tmp_path / "data", f"r{seed}", X, y, task="regression")
    build_knowledge_base(tmp_path / "data", tmp_path / "kb", n_configs=9, cv=2, progress=False)
    shipped = load_learned_portfolio()
    portfolio = LearnedPortfolio.from_experience(tmp_path / "kb")
    assert portfolio.tasks["regression"]["n_datasets"] == shipped.tasks["regression"]["n_datasets"] + 2
    assert portfolio.tasks["classification"]["n_datasets"] == shipped.tasks["classification"]["n_datasets"]
    with pytest.raises(ValueError, match="learn_from_experience"):
        LearnedPortfolio.from_experience(tmp_path / "data")


def test_the_zero_shot_pick_counts_a_bad_failure_where_the_greedy_order_does_not():
    steady, brittle = Config("random_forest", {"n": 1}), Config("mlp", {"n": 2})
    # R^2 on four datasets: the network leads by normalised score but collapses on the last one
    scores = [[0.80, 0.90], [0.70, 0.80], [0.60, 0.70], [0.40, -2.0]]
    portfolio = LearnedPortfolio.from_tables({"regression": [(_table(scores, ["a", "b"], "regression"),
                                                               [steady, brittle])]})
    assert portfolio.configs("regression")[0] == brittle
    assert portfolio.zero_shot("regression") == steady
    assert portfolio.tasks["regression"]["zero_shot"]["mean_score"] == pytest.approx(0.625)
    legacy = LearnedPortfolio({"regression": {"members": portfolio.tasks["regression"]["members"]}})
    assert legacy.zero_shot("regression") == brittle  # a file without the pick: the first member
    with pytest.raises(ValueError, match="'zero_shot' must be"):
        LearnedPortfolio.from_dict({**portfolio.to_dict(), "tasks": {"regression": {
            "members": [], "zero_shot": {"family": 3}}}})
