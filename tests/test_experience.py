"""Learning from the user's own fits: records, what they teach the next fit, and forgetting."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_regression

from metaselect import MetaSelectorRegressor
from metaselect.cli import main
from metaselect.knowledge import EXPERIENCE_SCHEMA_VERSION, read_experience, reset_experience
from metaselect.knowledge._configs import config_set
from metaselect.metamodel import (
    PRIOR_FITS,
    learn_from_experience,
    load_learned_portfolio,
    load_transfer,
)
from metaselect.portfolio import ENCODING_VERSION

SHIPPED = load_learned_portfolio()
#: A configuration of the knowledge base's set that the shipped portfolio does not start with.
CONFIGS = list(config_set("regression").values())
FAVOURITE = next(c for c in CONFIGS if c.family == "elastic_net" and c != SHIPPED.configs("regression")[0])


def _record(folder, name, scores, scoring="r2", task="regression"):
    """An experience record as a fit writes it: ``scores`` maps Config -> R^2 (None: failed)."""
    trials = [{"config": c.to_dict(), "status": "ok" if s is not None else "failed", "mean_score": s,
               "fit_time": 0.1, "n_samples": 200} for c, s in scores.items()]
    record = {"kind": "metaselect-experience", "schema_version": EXPERIENCE_SCHEMA_VERSION,
              "encoding_version": ENCODING_VERSION, "dataset": name, "task": task, "n_rows": 200,
              "scoring": scoring, "cv": "5", "meta_names": ["n_rows"], "meta_features": [200.0], "trials": trials}
    (folder / f"{name}.json").write_text(json.dumps(record))


def _domain(folder, k, scoring="r2"):
    """k records where FAVOURITE wins clearly and the shipped portfolio's first members trail."""
    for i in range(k):
        scores = {c: 0.3 for c in SHIPPED.configs("regression", 8)}
        scores[FAVOURITE] = 0.9
        _record(folder, f"d{i}", scores, scoring=scoring)


def test_an_empty_or_missing_folder_teaches_nothing(tmp_path):
    for folder in (tmp_path, tmp_path / "missing"):
        learned = learn_from_experience(folder)
        assert learned.portfolio.tasks == SHIPPED.tasks
        assert learned.n_fits == {} and learned.models == {}


def test_a_domains_winner_moves_up_with_the_fits_recorded(tmp_path):
    positions = []
    for k in (1, 3, 12):
        folder = tmp_path / str(k)
        folder.mkdir()
        _domain(folder, k)
        learned = learn_from_experience(folder)
        assert learned.n_fits == {"regression": k}
        positions.append(learned.portfolio.configs("regression").index(FAVOURITE))
        entry = learned.portfolio.tasks["regression"]
        assert entry["experience_weight"] == pytest.approx(k / (k + PRIOR_FITS))
        assert learned.portfolio.configs("regression", 1) == SHIPPED.configs("regression", 1)  # kept first
        # classification learned nothing: unchanged
        assert learned.portfolio.tasks["classification"] == SHIPPED.tasks["classification"]
    assert positions[-1] == 1 and positions[0] >= positions[-1]
    assert FAVOURITE not in SHIPPED.configs("regression", 2)


def test_the_zero_shot_pick_changes_only_on_paired_evidence(tmp_path):
    pick = SHIPPED.zero_shot("regression")
    _record(tmp_path, "d0", {FAVOURITE: 0.9, pick: 0.85})
    # one dataset, a small edge: shrunk by the prior, below the margin
    assert learn_from_experience(tmp_path).portfolio.zero_shot("regression") == pick
    # many datasets where FAVOURITE shone but the pick never ran: no pairs, no change
    _domain(tmp_path, 12)
    assert learn_from_experience(tmp_path).portfolio.zero_shot("regression") == pick
    for i in range(6):
        _record(tmp_path, f"p{i}", {FAVOURITE: 0.8, pick: 0.5})
    assert learn_from_experience(tmp_path).portfolio.zero_shot("regression") == FAVOURITE


def test_records_this_version_cannot_read_are_skipped_with_a_warning(tmp_path, caplog):
    _domain(tmp_path, 2)
    record = json.loads((tmp_path / "d0.json").read_text())
    (tmp_path / "d0.json").write_text(json.dumps({**record, "schema_version": 99}))
    (tmp_path / "broken.json").write_text("{")
    assert [r["dataset"] for r in read_experience(tmp_path)] == ["d1"]
    assert "schema version 99" in caplog.text and "broken.json" in caplog.text


def test_records_of_another_metric_are_not_learned_from(tmp_path):
    _domain(tmp_path, 3, scoring="neg_mean_absolute_error")
    learned = learn_from_experience(tmp_path)
    assert learned.n_fits == {} and learned.ignored == 3
    assert learned.portfolio.tasks == SHIPPED.tasks


def test_transfer_rows_join_the_in_run_adaptation_with_their_weight(tmp_path):
    _domain(tmp_path, 2)
    transfer = learn_from_experience(tmp_path).transfer.tasks["regression"]
    shipped = load_transfer().tasks["regression"]
    n = len(shipped["raw"])
    assert transfer["raw"].shape == (n + 2, shipped["raw"].shape[1])
    assert np.allclose(transfer["raw"][:n], shipped["raw"])
    column = CONFIGS.index(FAVOURITE)
    assert np.allclose(transfer["raw"][n:, column], 0.9)  # what the user saw is kept as seen
    assert np.isfinite(transfer["raw"]).all() and np.isfinite(transfer["target"]).all()
    assert transfer["prior"].sum() == pytest.approx(1.0)
    assert transfer["prior"][n:].sum() == pytest.approx(2 / (2 + PRIOR_FITS))
    ranking = learn_from_experience(tmp_path).transfer.reweighting("regression")
    assert ranking.weights_[n:].sum() == pytest.approx(2 / (2 + PRIOR_FITS))


def test_a_fit_records_its_validation_and_the_next_fit_learns_from_it(tmp_path):
    X, y = make_regression(120, 5, noise=1.0, random_state=0)
    folder = tmp_path / "experience"
    folder.mkdir()
    _domain(folder, 12)
    pick = SHIPPED.zero_shot("regression")
    for i in range(6):
        _record(folder, f"p{i}", {FAVOURITE: 0.8, pick: 0.5})
    model = MetaSelectorRegressor(time_budget=0, knowledge_base=folder, random_state=0).fit(X, y)
    # zero-shot fits the learned pick, not the shipped one
    assert model.best_config_ == {"algorithm": FAVOURITE.family, "params": FAVOURITE.params}
    assert len(read_experience(folder)) == 18  # nothing validated, nothing recorded
    searched = MetaSelectorRegressor(time_budget=30, max_evals=2, cv=3, knowledge_base=folder,
                                     random_state=0).fit(X, y)
    records = [r for r in read_experience(folder) if r["dataset"].startswith("regression-")]
    assert len(records) == 1 and records[0]["scoring"] == "r2" and records[0]["cv"] == str(searched.cv_) == "3"
    assert learn_from_experience(folder).n_fits == {"regression": 19}
    off = MetaSelectorRegressor(time_budget=0, knowledge_base=folder, learn_from_experience=False,
                                random_state=0).fit(X, y)
    assert off.best_config_ == {"algorithm": pick.family, "params": pick.params}


def test_the_first_candidates_of_a_search_follow_the_learned_portfolio(tmp_path):
    X, y = make_regression(150, 5, noise=1.0, random_state=0)
    _domain(tmp_path, 12)
    model = MetaSelectorRegressor(time_budget=30, max_evals=2, knowledge_base=tmp_path, random_state=0).fit(X, y)
    tried = [(row["algorithm"], row["params"]) for _, row in model.leaderboard_.iterrows()]
    first = SHIPPED.configs("regression", 1)[0]
    assert sorted(tried, key=str) == sorted([(first.family, first.params), (FAVOURITE.family, FAVOURITE.params)], key=str)


def test_reset_forgets_records_and_models_and_keeps_other_files(tmp_path, capsys):
    _domain(tmp_path, 2)
    (tmp_path / "notes.json").write_text("{}")
    (tmp_path / "metamodel").mkdir()
    (tmp_path / "metamodel" / "metamodel_regression.npz").write_bytes(b"not a model")
    assert main(["experience", str(tmp_path)]) == 0  # another file and a broken model are passed over
    out = capsys.readouterr().out
    assert "regression: 2 fit(s) learned from (weight 0.20" in out and "fine-tuned" not in out
    assert main(["experience", str(tmp_path), "--reset"]) == 0
    assert "2 record(s)" in capsys.readouterr().out
    assert read_experience(tmp_path) == [] and (tmp_path / "notes.json").exists()
    assert not (tmp_path / "metamodel").exists()
    assert reset_experience(tmp_path / "missing") == 0
    assert main(["experience", str(tmp_path / "missing")]) == 1


def test_a_long_search_writes_a_bounded_record(tmp_path):
    from metaselect.knowledge._experience import MAX_TRIALS, write_experience
    from metaselect.search import Trial

    trials = [Trial(candidate_id=i, config=CONFIGS[i % len(CONFIGS)], rung=0, n_samples=100, scores=[i / 1000])
              for i in range(MAX_TRIALS + 50)]
    path = write_experience(tmp_path, np.zeros((5, 2)), np.arange(5), "regression", pd.Series({"a": 1.0}),
                            trials, scoring="r2", cv="5")
    kept = json.loads(path.read_text())["trials"]
    assert len(kept) == MAX_TRIALS and kept[0]["mean_score"] == pytest.approx((MAX_TRIALS + 49) / 1000)
