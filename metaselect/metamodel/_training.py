"""Training and fine-tuning the meta-model with TensorFlow/Keras.

This is the only module that imports TensorFlow, and only inside functions:
training is offline work, run by ``metaselect train-meta`` / ``fine-tune``. The
result is exported to a :class:`~metaselect.metamodel.MetaModel`, which runs in
numpy.

The network reads ``[standardised meta-features, configuration encoding]`` and
outputs ``(normalised score, log1p fit seconds)``. The loss has three parts:
squared error on the normalised score, a listwise ranking term (ListNet: the
cross-entropy between the softmax of true and predicted scores over the
configurations of one dataset, which rewards getting the *order* right within a
dataset), and squared error on log time where the time is known.
"""

from __future__ import annotations

import importlib.util
import logging
import os

import numpy as np

from ..portfolio import ENCODING_VERSION, FAMILY_ORDER
from ._memory import Memory
from ._model import CLIP, MetaModel
from ._table import MetaTable, transform_meta

__all__ = ["SPREAD_WEIGHTING", "fine_tune", "to_keras", "train_metamodel"]

#: Whether datasets are weighted by their raw best-to-median gap, per task. Chosen by
#: grouped cross-validation on the knowledge base (docs/metamodel.md): it helped the
#: top-1 pick for classification and hurt it for regression.
SPREAD_WEIGHTING = {"classification": True, "regression": False}

logger = logging.getLogger(__name__)


#: What to install for training: TensorFlow comes with the ``train`` extra only.
MISSING_TENSORFLOW = (
    "training the meta-model needs TensorFlow, which a plain install leaves out: "
    "pip install 'metaselect[train]'"
)


def _tf():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    try:
        import keras
        import tensorflow as tf
    except ImportError as exc:
        raise ImportError(MISSING_TENSORFLOW, name=exc.name) from exc
    return tf, keras


def require_tensorflow() -> None:
    """Raise the :data:`MISSING_TENSORFLOW` ImportError unless TensorFlow can be imported.

    A cheap check (it looks for the packages without importing them), so that the
    command line fails before reading a knowledge base.

    Raises
    ------
    ImportError
        If ``tensorflow`` or ``keras`` is not installed.
    """
    missing = [name for name in ("tensorflow", "keras") if importlib.util.find_spec(name) is None]
    if missing:
        raise ImportError(MISSING_TENSORFLOW, name=missing[0])


def _build(keras, n_inputs: int, hidden, seed: int, dropout: float = 0.0, l2: float = 0.0):
    init = keras.initializers.GlorotUniform(seed=seed)
    reg = keras.regularizers.L2(l2) if l2 else None
    inputs = keras.Input(shape=(n_inputs,))
    h = inputs
    for i, width in enumerate(hidden):
        h = keras.layers.Dense(width, activation="relu", kernel_initializer=init, kernel_regularizer=reg,
                               name=f"hidden{i}")(h)
        if dropout:
            h = keras.layers.Dropout(dropout, seed=seed + i)(h)
    out = keras.layers.Dense(2, kernel_initializer=init, name="output")(h)
    return keras.Model(inputs, out)


def to_keras(model: MetaModel, member: int = 0):
    """A Keras network with the weights of one ensemble member (for fine-tuning and checks)."""
    _, keras = _tf()
    weights = model.members[member]
    hidden = [W.shape[1] for W, _ in weights[:-1]]
    net = _build(keras, weights[0][0].shape[0], hidden, seed=0,
                 dropout=model.info.get("dropout", 0.0), l2=model.info.get("l2", 0.0))
    for layer, (W, b) in zip([la for la in net.layers if la.weights], weights, strict=True):
        layer.set_weights([W.astype("float32"), b.astype("float32")])
    return net


def _standardiser(meta: np.ndarray):
    t = transform_meta(meta)
    mean = t.mean(axis=0)
    std = t.std(axis=0)
    std = np.where(std > 1e-9, std, 1.0)
    return mean, std


def _split_groups(groups, val_fraction: float, rng: np.random.Generator):
    unique = np.array(sorted(set(groups)))
    rng.shuffle(unique)
    n_val = int(round(val_fraction * len(unique))) if len(unique) >= 5 else 0
    val_groups = set(unique[:n_val])
    val = np.array([g in val_groups for g in groups])
    return np.flatnonzero(~val), np.flatnonzero(val)


def _memory_features(memory: Memory | None, z, table: MetaTable, own_group: bool) -> np.ndarray:
    """``(n_datasets, n_configs, 2)`` memory features; with ``own_group``, a dataset's family is hidden."""
    if memory is None:
        return np.zeros((len(z), len(table.config_ids), 0))
    index = memory.nearest_configs(table.encodings)
    groups = np.asarray(table.groups)
    member_groups = np.asarray(memory.groups)
    out = []
    for d in range(len(z)):
        exclude = (member_groups == groups[d]) if own_group and len(member_groups) else None
        out.append(memory.features(z[d], index, exclude))
    return np.stack(out)


def _fit(net, tf, keras, z, table: MetaTable, train, val, *, memory_features, offset=None, epochs, patience, learning_rate,
         rank_weight, time_weight, temperature, batch_datasets, seed, weight_by_spread=False):
    """Train ``net`` in place with early stopping on the ``val`` datasets; returns epochs run.

    With ``weight_by_spread``, each dataset's score losses are weighted by how much
    picking well matters on it: the raw gap between its best and its median
    configuration (scores clipped at 0), relative to the mean gap.
    """
    enc = tf.constant(table.encodings, dtype=tf.float32)
    Z = tf.constant(z, dtype=tf.float32)
    F = tf.constant(memory_features, dtype=tf.float32)
    target = tf.constant(table.target, dtype=tf.float32)
    offsets = tf.constant(np.zeros(table.scores.shape) if offset is None else offset, dtype=tf.float32)
    keep_all = tf.constant(table.mask, dtype=tf.float32)
    spread = np.ones(len(table.datasets))
    if weight_by_spread:
        raw = np.clip(table.scores, 0, None)
        spread = np.nan_to_num(np.nanmax(raw, axis=1) - np.nanmedian(raw, axis=1)) + 1e-3
        spread = spread / spread.mean()
    weight_all = tf.constant(spread, dtype=tf.float32)
    mask_all = tf.constant(np.isfinite(table.log_time), dtype=tf.float32)
    time_all = tf.constant(np.nan_to_num(table.log_time), dtype=tf.float32)
    n_configs = int(enc.shape[0])
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
    spec = [tf.TensorSpec(shape=[None], dtype=tf.int32)]

    def loss_of(rows, training):
        b = tf.shape(rows)[0]
        z_rep = tf.repeat(tf.gather(Z, rows), n_configs, axis=0)
        f = tf.reshape(tf.gather(F, rows), (-1, F.shape[2]))
        x = tf.concat([z_rep, tf.tile(enc, [b, 1]), f], axis=1)
        out = tf.reshape(net(x, training=training), (b, n_configs, 2))
        y, t, mask = tf.gather(target, rows), tf.gather(time_all, rows), tf.gather(mask_all, rows)
        keep = tf.gather(keep_all, rows)
        pred = out[..., 0] + tf.gather(offsets, rows)
        w = tf.gather(weight_all, rows)
        wk = keep * w[:, None]
        mse = tf.reduce_sum(wk * tf.square(pred - y)) / tf.maximum(tf.reduce_sum(wk), 1e-6)
        # Configurations not run on a dataset get -1e9 logits: no share of either softmax.
        off = (1.0 - keep) * -1e9
        listnet = -tf.reduce_sum(w * tf.reduce_sum(
            keep * tf.nn.softmax(y / temperature + off, axis=1)
            * tf.nn.log_softmax(pred / temperature + off, axis=1), axis=1)) / tf.reduce_sum(w)
        tmse = tf.reduce_sum(mask * tf.square(out[..., 1] - t)) / tf.maximum(tf.reduce_sum(mask), 1.0)
        penalty = tf.add_n(net.losses) if net.losses else 0.0
        return mse + rank_weight * listnet + time_weight * tmse + penalty

    @tf.function(input_signature=spec)
    def train_step(rows):
        with tf.GradientTape() as tape:
            loss = loss_of(rows, True)
        grads = tape.gradient(loss, net.trainable_weights)
        optimizer.apply_gradients(zip(grads, net.trainable_weights, strict=True))
        return loss

    @tf.function(input_signature=spec)
    def eval_loss(rows):
        return loss_of(rows, False)

    rng = np.random.default_rng(seed)
    best, best_weights, waited, epochs_run = np.inf, net.get_weights(), 0, 0
    for epoch in range(1, epochs + 1):
        epochs_run = epoch
        order = rng.permutation(train)
        for start in range(0, len(order), batch_datasets):
            train_step(tf.constant(order[start : start + batch_datasets], dtype=tf.int32))
        monitor = float(eval_loss(tf.constant(val if len(val) else train, dtype=tf.int32)))
        if monitor < best - 1e-5:
            best, best_weights, waited = monitor, net.get_weights(), 0
        else:
            waited += 1
            if waited >= patience:
                break
    net.set_weights(best_weights)
    logger.info("trained %d epochs; best monitored loss %.4f", epochs_run, best)
    return epochs_run


def _weights(net) -> list:
    return [tuple(w.astype(np.float64) for w in la.get_weights()) for la in net.layers if la.weights]


def _export(members, table: MetaTable, mean, std, z_train, extra: dict, memory=None) -> MetaModel:
    distances = np.linalg.norm(z_train[:, None, :] - z_train[None, :, :], axis=2)
    np.fill_diagonal(distances, np.inf)
    nn = distances.min(axis=1) if len(z_train) > 1 else np.ones(1)
    typical = float(np.median(nn)) or 1.0
    info = {
        "task": table.task,
        "meta_names": list(table.meta_names),
        "meta_mean": np.asarray(mean).tolist(),
        "meta_std": np.asarray(std).tolist(),
        "encoding_version": ENCODING_VERSION,
        "n_configs": len(table.config_ids),
        "time_reference_rows": float(table.time_reference_rows),
        "typical_nn_distance": typical,
        # Out of distribution: farther from every training dataset than any training
        # dataset is from its own nearest neighbour.
        "novelty_threshold": float(nn.max() / typical) if len(z_train) > 1 else 3.0,
        "train_datasets": list(table.datasets),
        **extra,
    }
    info["train_meta"] = z_train
    return MetaModel(members, info, memory)


def train_metamodel(table: MetaTable, *, hidden=(64, 64), n_members: int = 5, epochs: int = 400,
                    patience: int = 40, learning_rate: float = 3e-3, rank_weight: float = 1.0,
                    time_weight: float = 0.3, temperature: float = 0.1, batch_datasets: int = 8,
                    val_fraction: float = 0.2, use_memory: bool = True, k_neighbours: int = 5,
                    prior_weight: float = 1.0, residual: bool = True, dropout: float = 0.3,
                    l2: float = 1e-4, weight_by_spread: bool | None = None,
                    random_state: int = 0) -> MetaModel:
    """Pre-train a meta-model on ``table``; returns the exported numpy :class:`MetaModel`.

    An ensemble of ``n_members`` networks, each with its own seed and its own
    held-out families for early stopping (so members differ and their average
    varies less). At run time the predicted score is the members' mean plus
    ``prior_weight`` times the configuration's mean normalised score in training
    (the network learns the correction to that prior). ``weight_by_spread=None``
    uses :data:`SPREAD_WEIGHTING` for the task. Seeded and repeatable. Raises
    ImportError (:data:`MISSING_TENSORFLOW`) where TensorFlow is not installed.
    """
    require_tensorflow()
    if weight_by_spread is None:
        weight_by_spread = SPREAD_WEIGHTING.get(table.task, False)
    tf, keras = _tf()
    tf.config.experimental.enable_op_determinism()
    mean, std = _standardiser(table.meta)
    z = np.clip((transform_meta(table.meta) - mean) / std, -CLIP, CLIP)
    slots = len(FAMILY_ORDER[table.task])
    members, epochs_run = [], []
    for m in range(n_members):
        seed = random_state * 1000 + m
        keras.utils.set_random_seed(seed)
        train, val = _split_groups(table.groups, val_fraction, np.random.default_rng(seed))
        memory = None
        if use_memory:
            memory = Memory(table.encodings, slots, table.target[train], z[train], k=k_neighbours,
                            groups=[table.groups[i] for i in train])
        features = _memory_features(memory, z, table, own_group=True)
        offset = prior_weight * features[..., 0] if (use_memory and residual) else None
        net = _build(keras, z.shape[1] + table.encodings.shape[1] + features.shape[2], hidden, seed,
                     dropout=dropout, l2=l2)
        epochs_run.append(_fit(
            net, tf, keras, z, table, train, val, memory_features=features, offset=offset, epochs=epochs,
            patience=patience, learning_rate=learning_rate, rank_weight=rank_weight,
            time_weight=time_weight, temperature=temperature, batch_datasets=batch_datasets, seed=seed,
            weight_by_spread=weight_by_spread,
        ))
        members.append(_weights(net))
    extra = {"epochs": epochs_run, "random_state": random_state, "hidden": list(hidden),
             "n_members": n_members, "prior_weight": prior_weight if use_memory else 0.0,
             "dropout": dropout, "l2": l2, "weight_by_spread": weight_by_spread,
             "tensorflow": tf.__version__}
    # At run time, remember every dataset seen in training.
    memory = Memory(table.encodings, slots, table.target, z, k=k_neighbours) if use_memory else None
    return _export(members, table, mean, std, z, extra, memory)


def fine_tune(model: MetaModel, table: MetaTable, *, epochs: int = 60, learning_rate: float = 1e-3,
              rank_weight: float = 1.0, time_weight: float = 0.3, temperature: float = 0.1,
              batch_datasets: int = 4, random_state: int = 0) -> MetaModel:
    """Continue training every member of ``model`` on new experience.

    ``table`` needs the model's meta-features (extra columns are ignored); its
    configurations may differ from the pre-training set. The input
    standardisation and the memory of pre-training scores are kept; the new
    datasets join the novelty check. Raises ImportError (:data:`MISSING_TENSORFLOW`)
    where TensorFlow is not installed.
    """
    require_tensorflow()
    missing = [n for n in model.meta_names if n not in table.meta_names]
    if missing:
        raise ValueError(f"The fine-tuning data lacks the model's meta-features {missing[:5]}.")
    columns = [list(table.meta_names).index(n) for n in model.meta_names]
    table = MetaTable(table.task, table.datasets, table.groups, table.meta[:, columns], model.meta_names,
                      table.config_ids, table.encodings, table.scores, table.log_time, table.evaluated,
                      table.time_reference_rows)
    tf, keras = _tf()
    z = model.standardise(table.meta)
    rows = np.arange(len(table.datasets))
    features = _memory_features(model.memory, z, table, own_group=False)
    offset = model.info.get("prior_weight", 0.0) * features[..., 0] if features.shape[2] else None
    members = []
    for m in range(len(model.members)):
        keras.utils.set_random_seed(random_state * 1000 + m)
        net = to_keras(model, member=m)
        _fit(net, tf, keras, z, table, rows, np.array([], dtype=int), memory_features=features,
             offset=offset, epochs=epochs, patience=epochs, learning_rate=learning_rate, rank_weight=rank_weight,
             time_weight=time_weight, temperature=temperature, batch_datasets=batch_datasets,
             seed=random_state * 1000 + m)
        members.append(_weights(net))
    extra = {k: v for k, v in model.info.items() if k not in ("train_meta", "train_datasets")}
    extra.update(fine_tuned_on=list(table.datasets), fine_tune_epochs=epochs)
    tuned = _export(members, table, model.meta_mean, model.meta_std,
                    np.vstack([model.train_meta, z]) if len(model.train_meta) else z, extra, model.memory)
    tuned.info["train_datasets"] = list(model.info.get("train_datasets", [])) + list(table.datasets)
    return tuned
