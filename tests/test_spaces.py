import json

import numpy as np
import pytest

from metaselect.spaces import (
    Categorical,
    Condition,
    Float,
    Int,
    SearchSpace,
    distribution_from_dict,
)


def _svm_like():
    return SearchSpace(
        {
            "kernel": Categorical(("rbf", "poly", "linear")),
            "gamma": Float(1e-4, 10.0, log=True),
            "degree": Int(2, 5),
            "C": Float(0.1, 10.0),
        },
        conditions=[Condition("gamma", "kernel", ("rbf", "poly")), Condition("degree", "kernel", ("poly",))],
        default={"kernel": "rbf", "gamma": 0.1, "C": 1.0},
    )


@pytest.mark.parametrize("dist", [Float(0.1, 10, log=True), Float(-1, 1), Int(1, 100, log=True), Int(2, 5)])
def test_unit_round_trip(dist):
    rng = np.random.default_rng(0)
    for _ in range(200):
        value = dist.sample(rng)
        assert dist.contains(value)
        back = dist.from_unit(dist.to_unit(value))
        assert back == pytest.approx(value, rel=1e-9)


def test_log_sampling_is_uniform_on_log_scale():
    values = np.array([Float(1e-4, 1.0, log=True).sample(np.random.default_rng(i)) for i in range(2000)])
    assert 0.4 < np.mean(values < 1e-2) < 0.6  # half the log range lies below 1e-2


def test_int_slices_are_equal():
    dist = Int(1, 4)
    counts = np.bincount([dist.sample(np.random.default_rng(i)) for i in range(4000)], minlength=5)[1:]
    assert counts.min() > 850


def test_distributions_validate_themselves():
    with pytest.raises(ValueError, match="low <= high"):
        Float(2.0, 1.0)
    with pytest.raises(ValueError, match="low > 0"):
        Float(0.0, 1.0, log=True)
    with pytest.raises(TypeError, match="integers"):
        Int(0.5, 3)
    with pytest.raises(ValueError, match="unique"):
        Categorical(("a", "a"))


def test_distributions_compare_hash_and_json_round_trip():
    for dist in [Float(0.1, 1.0, log=True), Int(1, 9), Categorical((None, "balanced", 0.5))]:
        data = json.loads(json.dumps(dist.to_dict()))
        assert distribution_from_dict(data) == dist
        assert hash(distribution_from_dict(data)) == hash(dist)


def test_categorical_is_type_aware():
    dist = Categorical((True, 1, "1"))
    assert dist.index(1) == 1 and dist.index(True) == 0 and dist.index("1") == 2


def test_conditions_drive_sampling_validation_and_encoding():
    space = _svm_like()
    rng = np.random.default_rng(0)
    for _ in range(100):
        config = space.sample(rng)
        space.validate(config)
        assert ("degree" in config) == (config["kernel"] == "poly")
        assert ("gamma" in config) == (config["kernel"] != "linear")
        vector = space.encode(config)
        assert vector.shape == (space.n_dims,) and np.all((vector >= 0) & (vector <= 1))
        decoded = space.decode(vector)
        assert decoded.keys() == config.keys()
    with pytest.raises(ValueError, match="inactive"):
        space.validate({"kernel": "linear", "gamma": 0.1, "C": 1.0})
    with pytest.raises(ValueError, match="missing"):
        space.validate({"kernel": "poly", "gamma": 0.1, "C": 1.0})
    with pytest.raises(ValueError, match="outside"):
        space.validate({"kernel": "rbf", "gamma": 100.0, "C": 1.0})
    with pytest.raises(ValueError, match="Unknown hyperparameter"):
        space.validate({"kernel": "rbf", "gamma": 0.1, "C": 1.0, "tol": 1})


def test_encoding_layout_is_documented_by_names():
    space = _svm_like()
    assert space.encoding_names() == ["kernel=rbf", "kernel=poly", "kernel=linear", "gamma", "degree", "C"]
    vector = space.encode({"kernel": "linear", "C": 10.0})
    np.testing.assert_array_equal(vector, [0, 0, 1, 0, 0, 1])


def test_space_json_round_trip_and_bad_conditions():
    space = _svm_like()
    assert SearchSpace.from_dict(json.loads(json.dumps(space.to_dict()))) == space
    with pytest.raises(ValueError, match="parent must come before"):
        SearchSpace({"a": Float(0, 1), "b": Categorical(("x",))}, conditions=[Condition("a", "b", ("x",))])


def test_neighbours_stay_valid_near_the_point_and_follow_the_seed():
    space = SearchSpace({"kernel": Categorical(("rbf", "linear")), "gamma": Float(1e-4, 1.0, log=True),
                         "degree": Int(1, 5)},
                        conditions=[Condition("gamma", "kernel", ("rbf",))],
                        default={"kernel": "rbf", "gamma": 0.01, "degree": 3})
    point = space.default()
    near = space.neighbours(point, np.random.default_rng(0), 50, scale=0.05)
    assert near == space.neighbours(point, np.random.default_rng(0), 50, scale=0.05)
    for config in near:
        space.validate(config)
    gaps = [abs(space.encode(c)[2] - space.encode(point)[2]) for c in near if c["kernel"] == "rbf"]
    assert len(gaps) > 40 and max(gaps) < 0.3  # within 6 standard deviations of 0.05
    far = space.neighbours(point, np.random.default_rng(0), 50, scale=1.0)
    assert {c["kernel"] for c in far} == {"rbf", "linear"}
