"""In-run adapters: they start from the prior and follow what the dataset shows."""

import numpy as np
import pytest
from scipy.stats import spearmanr

from metaselect.metamodel import ABLRAdapter, DatasetReweighting, ResidualAdapter, load_pretrained


@pytest.fixture(scope="module")
def setting():
    model = load_pretrained("classification")
    encodings = model.memory.encodings
    meta = np.sign(model.meta_mean) * np.expm1(np.abs(model.meta_mean))  # an average dataset
    prior, _ = model.predict(meta, encodings)
    return model, meta, encodings, prior


def test_ablr_starts_from_the_network(setting):
    model, meta, encodings, prior = setting
    adapter = ABLRAdapter(model, meta, encodings)
    np.testing.assert_allclose(adapter.predict(encodings), prior, atol=1e-9)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_ablr_follows_the_observed_scores(setting, sign):
    """Scores that agree with the network keep its order; scores that contradict it turn it round."""
    model, meta, encodings, prior = setting
    rng = np.random.default_rng(0)
    tried = rng.choice(len(encodings), size=15, replace=False)
    untried = np.setdiff1d(np.arange(len(encodings)), tried)
    observed = 0.7 + 0.2 * sign * (prior[tried] - prior.mean())
    adapter = ABLRAdapter(model, meta, encodings).update(encodings[tried], observed)
    rho = spearmanr(adapter.predict(encodings[untried]), prior[untried]).statistic
    assert sign * rho > 0.5
    mean, std = adapter.predict(encodings, return_std=True)
    assert std[tried].mean() < std[untried].mean()  # less uncertain where it has seen scores


def test_residual_adapter_is_the_identity_below_three_points_then_corrects(setting):
    model, meta, encodings, prior = setting
    adapter = ResidualAdapter(model, meta, encodings)
    adapter.update(encodings[:2], [0.1, 0.9])
    np.testing.assert_allclose(adapter.predict(encodings), prior)
    tried = np.argsort(prior)[-10:]
    adapter.update(encodings[tried], -prior[tried])  # the best predicted are the worst measured
    assert spearmanr(adapter.predict(encodings), prior).statistic < 0


def _clusters():
    """Two kinds of datasets: easy ones (config 0 wins) and hard ones (config 2 wins)."""
    raw = np.array([[0.95, 0.90, 0.80]] * 5 + [[0.50, 0.55, 0.70]] * 5)
    target = (raw - raw.min(1, keepdims=True)) / np.ptp(raw, axis=1, keepdims=True)
    return np.eye(3), target, raw


def test_reweighting_finds_datasets_that_score_alike():
    encodings, target, raw = _clusters()
    adapter = DatasetReweighting(encodings, target, raw, bandwidth=0.05)
    np.testing.assert_allclose(adapter.weights_, 0.1)
    adapter.update(encodings[[1]], [0.56])  # config 1 scored like on the hard datasets
    assert adapter.weights_[5:].sum() > 0.99
    assert np.argmax(adapter.predict(encodings)) == 2
    gain = adapter.predict(encodings, improvement=True)
    assert gain[1] == 0.0 and np.argmax(gain) == 2
    adapter.update(encodings[[1]], [0.91])  # ... or like on the easy ones
    assert np.argmax(adapter.predict(encodings)) == 0


def test_reweighting_maps_unknown_configurations_to_their_family():
    encodings = np.array([[1.0, 0.0, 0.1], [1.0, 0.0, 0.9], [0.0, 1.0, 0.5]])
    adapter = DatasetReweighting(encodings, np.zeros((2, 3)), np.zeros((2, 3)), family_slots=2)
    np.testing.assert_array_equal(adapter.columns([[1.0, 0.0, 0.8], [0.0, 1.0, 0.0], [1.0, 0.0, 0.1]]),
                                  [1, 2, 0])


def test_failures_score_the_worst_and_lengths_are_checked():
    encodings, target, raw = _clusters()
    adapter = DatasetReweighting(encodings, target, raw)
    adapter.update(encodings[[0, 1]], [0.5, np.nan])
    np.testing.assert_array_equal(adapter._y, [0.5, 0.5])
    with pytest.raises(ValueError, match="2 encodings but 1 scores"):
        adapter.update(encodings[:2], [0.5])
