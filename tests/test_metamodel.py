"""The neural meta-model: training (TensorFlow), numpy inference, fine-tuning, novelty."""

import numpy as np
import pytest
from scipy.stats import spearmanr

from metaselect.metamodel import MetaModel, MetaTable, normalise_scores

N_META, N_CONFIGS, N_ENC = 6, 30, 10


def _table(rng, n, shift=0.0, pattern=None, prefix="d", group_size=2):
    meta = rng.normal(size=(n, N_META))
    meta[:, 0] += shift
    enc = np.random.default_rng(123).random((N_CONFIGS, N_ENC))  # one shared configuration set
    pattern = np.random.default_rng(7).normal(size=(N_META, N_ENC)) if pattern is None else pattern
    scores = np.tanh(meta @ pattern @ enc.T / 4) + 0.02 * rng.normal(size=(n, N_CONFIGS))
    log_time = np.log1p(np.exp(0.5 * meta[:, :1]) * enc[None, :, 0])
    names = [f"m{i}" for i in range(N_META)]
    return MetaTable("classification", [f"{prefix}{i}" for i in range(n)],
                     [f"{prefix}g{i // group_size}" for i in range(n)], meta, names,
                     [f"c{j}" for j in range(N_CONFIGS)], enc, scores, log_time)


def _rank_quality(model, table):
    return np.mean([spearmanr(model.predict(m, table.encodings)[0], s).statistic
                    for m, s in zip(table.meta, table.scores, strict=True)])


def test_normalise_scores_per_dataset_and_failures_worst():
    out = normalise_scores(np.array([[0.5, 0.7, np.nan], [2.0, 2.0, 2.0]]))
    np.testing.assert_allclose(out, [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])


@pytest.fixture(scope="module")
def trained():
    pytest.importorskip("tensorflow")
    from metaselect.metamodel import train_metamodel

    table = _table(np.random.default_rng(0), 60)
    return table, train_metamodel(table, epochs=40, patience=40, random_state=0)


def test_numpy_forward_equals_keras(trained):
    from metaselect.metamodel import to_keras

    table, model = trained
    x = np.vstack([model.inputs(model.standardise(m), table.encodings) for m in table.meta[:3]])
    assert x.shape == (3 * N_CONFIGS, N_META + N_ENC + 2)  # + the memory's prior and neighbours
    for member in (0, 4):
        keras_out = to_keras(model, member=member).predict(x.astype("float32"), verbose=0)
        np.testing.assert_allclose(model.forward(x, member=member), keras_out, atol=1e-5)


def test_small_seeded_repeatable_and_learns_the_order(trained):
    from metaselect.metamodel import train_metamodel

    table, model = trained
    assert model.n_parameters < 50_000
    again = train_metamodel(table, epochs=40, patience=40, random_state=0)
    assert len(model.members) == 5  # an ensemble
    for (W1, b1), (W2, b2) in zip(model.members[2], again.members[2], strict=True):
        np.testing.assert_array_equal(W1, W2)
        np.testing.assert_array_equal(b1, b2)
    unseen = _table(np.random.default_rng(99), 10, prefix="u")
    assert _rank_quality(model, unseen) > 0.5


def test_export_round_trip(tmp_path, trained):
    _, model = trained
    path = tmp_path / "metamodel_classification.npz"
    model.save(path)
    loaded = MetaModel.load(path)
    enc = np.random.default_rng(1).random((5, N_ENC))
    meta = np.ones(N_META)
    np.testing.assert_array_equal(loaded.predict(meta, enc)[0], model.predict(meta, enc)[0])
    assert loaded.info["task"] == "classification"


def test_fine_tuning_improves_held_out_members_of_a_family(trained):
    from metaselect.metamodel import fine_tune

    _, base = trained
    other = np.random.default_rng(42).normal(size=(N_META, N_ENC))  # the family behaves differently
    family = _table(np.random.default_rng(5), 16, shift=2.0, pattern=other, prefix="f", group_size=1)
    seen, held_out = family.subset(range(10)), family.subset(range(10, 16))
    before = _rank_quality(base, held_out)
    tuned = fine_tune(base, seen, epochs=80, random_state=0)
    after = _rank_quality(tuned, held_out)
    assert after > before + 0.2, (before, after)
    assert tuned.meta_mean.tolist() == base.meta_mean.tolist()  # keeps the input standardisation


def test_novelty_flags_far_away_datasets(trained):
    table, model = trained
    typical = [model.novelty(m) for m in _table(np.random.default_rng(3), 10, prefix="t").meta]
    assert np.median(typical) < model.info["novelty_threshold"]
    far = table.meta[0] + 40.0
    assert model.novelty(far) > model.info["novelty_threshold"]
