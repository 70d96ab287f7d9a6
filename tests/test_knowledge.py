"""The knowledge base: configuration set, build, resume, corruption, packing, report."""

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from metaselect.datasets import DatasetFolder
from metaselect.knowledge import (
    SCHEMA_VERSION,
    CorruptResultError,
    KnowledgeBase,
    KnowledgeBaseVersionError,
    build_knowledge_base,
    config_set,
    load_knowledge_base,
    neighbourhood_set,
)
from metaselect.knowledge._report import (
    clipped_scores,
    normalised_scores,
    render_markdown,
    task_summary,
)
from metaselect.metafeatures import TIME_FEATURES
from metaselect.portfolio import ENCODING_VERSION, FAMILY_ORDER, Config, encoding_names

# One configuration per family (the defaults): 13 classification, 11 regression.
SETTINGS = {"n_configs": 1, "cv": 2, "max_rows": 80, "time_limit": 20.0, "chunk_size": 4}
N_CONFIGS = {"classification": 13, "regression": 11}
CHUNKS = {"classification": 4, "regression": 3}  # ceil(n / chunk_size)


def _write(root, name, frame, task, target, family):
    (root / "data").mkdir(parents=True, exist_ok=True)
    frame.to_csv(root / "data" / f"{name}.csv.gz", index=False)
    line = (f"{name},{task},{target},{len(frame)},{frame.shape[1] - 1},"
            f"{frame[target].nunique() if task == 'classification' else 0},synthetic,{family}")
    manifest = root / "manifest.csv"
    if not manifest.exists():
        manifest.write_text("name,task,target,n_rows,n_features,n_classes,source,family\n")
    with open(manifest, "a") as fh:
        fh.write(line + "\n")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Three tiny datasets: categorical + missing values, integer labels, regression."""
    root = tmp_path_factory.mktemp("corpus")
    rng = np.random.default_rng(0)
    n = 120  # above the row cap of 80: subsampled
    x = rng.normal(size=(n, 3))
    colour = np.where(rng.random(n) < 0.5, "red", "blue").astype(object)
    colour[::9] = None
    frame = pd.DataFrame({"x0": x[:, 0], "x0_copy": x[:, 0], "x1": np.where(rng.random(n) < 0.1, np.nan, x[:, 1]),
                          "colour": colour, "y": np.where(x[:, 0] + (colour == "red") > 0.3, "pos", "neg")})
    _write(root, "mixed", frame, "classification", "y", "mixed")
    x = rng.normal(size=(60, 2))
    _write(root, "ints", pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": (x[:, 0] > 0).astype(int)
                                       + (x[:, 1] > 0.5)}), "classification", "c", "ints")
    x = rng.normal(size=(60, 3))
    _write(root, "reg", pd.DataFrame({"u": x[:, 0], "v": x[:, 1], "w": x[:, 2],
                                      "t": 2 * x[:, 0] - x[:, 1] + 0.1 * rng.normal(size=60)}),
           "regression", "t", "reg")
    return root


@pytest.fixture(scope="module")
def built(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("kb") / "kb"
    summary = build_knowledge_base(corpus, out, n_jobs=1, progress=False, **SETTINGS)
    return out, summary


def _read(path):
    return json.loads(gzip.decompress(path.read_bytes()))


def test_config_set_is_seeded_distinct_and_has_every_default():
    for task, families in FAMILY_ORDER.items():
        configs = config_set(task, 100, random_state=0)
        assert len(configs) >= 100 and len(set(configs.values())) == len(configs)
        assert configs == config_set(task, 100, random_state=0)
        assert configs != config_set(task, 100, random_state=1)
        defaults = [c for cid, c in configs.items() if cid.endswith(":00")]
        assert [c.family for c in defaults] == list(families)
    with pytest.raises(ValueError, match="n_configs must be a positive int"):
        config_set("regression", 0)


def test_build_records_counts_statuses_and_folds(built):
    out, summary = built
    assert summary["skipped"] == 0 and summary["records"] == 2 * 13 + 11
    kb = load_knowledge_base(out)
    results = kb.results()
    assert not results.duplicated(["dataset", "config_id"]).any()
    assert results.groupby("dataset").size().to_dict() == {"ints": 13, "mixed": 13, "reg": 11}
    assert set(results["status"]) <= {"ok", "failed", "timeout"}
    assert (results["status"] == "ok").mean() > 0.8
    # QDA cannot fit a class covariance with a duplicated column: a failed record, not a crash.
    qda = results[(results.dataset == "mixed") & (results.family == "qda")].iloc[0]
    assert qda["status"] == "failed" and qda["error"] and np.isnan(qda["mean_score"])
    ok = results[results.status == "ok"]
    assert all(len(s) == SETTINGS["cv"] for s in ok["fold_scores"])
    assert np.allclose(ok["mean_score"], [np.mean(s) for s in ok["fold_scores"]])
    assert (ok["fit_time"] > 0).all() and (ok["predict_time"] > 0).all()
    # Every chunk of a dataset saw the same rows and folds as its meta record.
    for name in ("mixed", "ints", "reg"):
        folds = _read(out / "results" / name / "meta.json.gz")["folds"]
        chunks = sorted((out / "results" / name).glob("chunk_*.json.gz"))
        assert len(chunks) == CHUNKS[kb.datasets().loc[name, "task"]]
        assert {_read(p)["folds"] for p in chunks} == {folds}
    # The same configuration set for every dataset of a task.
    ids = results.groupby("dataset")["config_id"].apply(tuple)
    assert ids["ints"] == ids["mixed"] == tuple(kb.config_sets["classification"])


def test_row_cap_subsamples_stratified_and_keeps_original_size(built):
    kb = load_knowledge_base(built[0])
    info = kb.datasets()
    assert info.loc["mixed", "n_rows_original"] == 120
    assert 78 <= info.loc["mixed", "n_rows_used"] <= 82
    assert info.loc["ints", "n_rows_original"] == info.loc["ints", "n_rows_used"] == 60
    mf = kb.metafeatures()
    assert list(mf.columns[:3]) == ["task", "family", "source"] and mf.shape[0] == 3
    assert mf.loc["mixed", "n_rows_original"] == 120


def test_interrupted_build_resumes_without_losing_results(corpus, built, tmp_path):
    out = tmp_path / "kb"
    seen = []

    def stop_after_three(info):
        seen.append(info["dataset"])
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_knowledge_base(corpus, out, n_jobs=1, progress=False, callback=stop_after_three,
                             **SETTINGS)
    done = {p: p.read_bytes() for p in (out / "results").glob("*/*.json.gz")}
    assert len(done) == 3
    summary = build_knowledge_base(corpus, out, n_jobs=1, progress=False, **SETTINGS)
    assert summary["skipped"] == 3 and summary["units"] == 3 * 1 + 4 + 4 + 3 - 3
    assert all(p.read_bytes() == data for p, data in done.items())  # finished files untouched
    resumed, full = load_knowledge_base(out).results(), load_knowledge_base(built[0]).results()
    keys = ["dataset", "config_id", "status"]
    pd.testing.assert_frame_equal(resumed[keys], full[keys])
    same = full.status == "ok"  # same folds and seeds: same scores
    assert np.allclose(resumed.loc[same, "mean_score"], full.loc[same, "mean_score"])
    # Nothing left to do on a third run.
    assert build_knowledge_base(corpus, out, n_jobs=1, progress=False, **SETTINGS)["units"] == 0


def test_killed_cli_build_resumes(corpus, tmp_path):
    out = tmp_path / "kb"
    args = [sys.executable, "-c", "import sys; from metaselect.cli import main; sys.exit(main())",
            "build-kb", str(corpus), "--out", str(out), "--n-configs", "1", "--cv", "2",
            "--max-rows", "80", "--time-limit", "20", "--chunk-size", "4", "--no-progress"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(1200):
            if list((out / "results").glob("*/chunk_*.json.gz")) or proc.poll() is not None:
                break
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    first = {p: p.read_bytes() for p in (out / "results").glob("*/*.json.gz")}
    assert first, "the build wrote nothing before it was killed"
    for data in first.values():
        json.loads(gzip.decompress(data))  # every result file present is complete
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"{len(first)} already done" in done.stdout
    assert all(p.read_bytes() == data for p, data in first.items())
    assert not list(out.rglob("*.tmp-*"))
    assert load_knowledge_base(out).results().shape[0] == 2 * 13 + 11


@pytest.mark.parametrize("damage", ["truncated", "garbled"])
def test_corrupted_chunk_is_named_set_aside_and_recomputed(corpus, built, tmp_path, caplog, damage):
    out = tmp_path / "kb"
    shutil.copytree(built[0], out)
    victim = out / "results" / "ints" / "chunk_001.json.gz"
    data = victim.read_bytes()
    victim.write_bytes(data[:40] if damage == "truncated" else gzip.compress(b'{"records": [{"con'))
    others = {p: p.read_bytes() for p in (out / "results").glob("*/*.json.gz") if p != victim}
    # Reading: a clear error naming the file, with advice that works.
    with pytest.raises(CorruptResultError, match=r"chunk_001\.json\.gz.*build-kb command again"):
        load_knowledge_base(out)
    from metaselect.cli import main

    assert main(["pack-kb", str(out), "--out", str(tmp_path / "kb.json.gz")]) == 1
    # Building: the file is kept aside (nothing deleted), its unit runs again, the rest stays.
    with caplog.at_level("WARNING", logger="metaselect.knowledge"):
        summary = build_knowledge_base(corpus, out, n_jobs=1, progress=False, **SETTINGS)
    assert str(victim) in caplog.text and "set aside as" in caplog.text
    assert summary["units"] == 1 and summary["skipped"] == 3 * 1 + 4 + 4 + 3 - 1
    assert (out / "results" / "ints" / "chunk_001.json.gz.corrupt").read_bytes() != data
    assert all(p.read_bytes() == content for p, content in others.items())
    assert load_knowledge_base(out).results().shape[0] == 37


def test_builds_on_one_directory_keep_each_others_temporary_files(built, corpus, tmp_path):
    from metaselect.knowledge._records import temporary_path

    out = tmp_path / "kb"
    shutil.copytree(built[0], out)
    folder = out / "results" / "reg"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = temporary_path(folder / "chunk_000.json.gz")  # this process: a writer at work
    dead_name = live.name.replace(f"_{os.getpid()}_", f"_{dead.pid}_")
    files = {
        "live": live,
        "other host, recent": folder / "chunk_001.json.gz.tmp-otherhost_12_ab12",
        "dead writer": folder / dead_name,
        "other host, old": folder / "chunk_002.json.gz.tmp-otherhost_12_cd34",
    }
    for path in files.values():
        path.write_bytes(b"partial")
    os.utime(files["other host, old"], (time.time() - 7200,) * 2)
    build_knowledge_base(corpus, out, n_jobs=1, progress=False, **SETTINGS)
    kept = {what for what, path in files.items() if path.exists()}
    assert kept == {"live", "other host, recent"}
    assert load_knowledge_base(out).results().shape[0] == 37  # temporaries are never read


def test_two_cli_builds_at_once_on_one_directory(corpus, tmp_path):
    out = tmp_path / "kb"
    args = [sys.executable, "-c", "import sys; from metaselect.cli import main; sys.exit(main())",
            "build-kb", str(corpus), "--out", str(out), "--n-configs", "1", "--cv", "2",
            "--max-rows", "80", "--time-limit", "20", "--chunk-size", "4", "--no-progress"]
    builds = [subprocess.Popen(args + extra, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for extra in ([], ["--reverse"])]
    for proc in builds:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    assert load_knowledge_base(out).results().shape[0] == 2 * 13 + 11
    assert not list(out.rglob("*.tmp-*"))


def test_dataset_names_cannot_leave_the_results_folder(corpus, tmp_path):
    from metaselect.datasets import ManifestError
    from metaselect.knowledge._builder import result_dir

    evil = tmp_path / "evil"
    shutil.copytree(corpus, evil)
    shutil.copy(corpus / "data" / "reg.csv.gz", evil / "data" / "...csv.gz")
    manifest = pd.read_csv(evil / "manifest.csv", keep_default_na=False)
    manifest.loc[manifest.name == "reg", "name"] = ".."
    manifest.to_csv(evil / "manifest.csv", index=False)
    out = tmp_path / "kb"
    with pytest.raises(ManifestError, match="invalid dataset name '..'"):
        build_knowledge_base(evil, out, n_jobs=1, progress=False, **SETTINGS)
    assert not (out / "meta.json.gz").exists() and not (out / "results" / "meta.json.gz").exists()
    for name in ("..", ".", "a/b", "/abs", ".hidden", ""):
        with pytest.raises(ValueError, match="Invalid dataset name"):
            result_dir(out, name)


def test_kb_report_on_a_csv_says_what_a_knowledge_base_is(tmp_path, capsys):
    from metaselect.cli import main

    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")
    assert main(["kb-report", str(data)]) == 1
    err = capsys.readouterr().err
    assert str(data) in err and "A knowledge base is a packed" in err and "Delete" not in err
    assert data.exists()
    assert main(["kb-report", str(tmp_path)]) == 1
    assert "not a knowledge-base build directory" in capsys.readouterr().err


def test_temporary_experience_files_are_not_experience(tmp_path):
    from metaselect.knowledge._experience import read_experience, write_experience

    meta = pd.Series([1.0, 2.0], index=["a", "b"])
    path = write_experience(tmp_path, np.zeros((4, 2)), np.arange(4), "classification", meta, [])
    leftover = tmp_path / ".tmp-k1ll3d.json"  # complete, but its writer died before os.replace
    leftover.write_text(path.read_text())
    os.utime(leftover, (time.time() - 7200,) * 2)
    assert len(read_experience(tmp_path)) == 1
    write_experience(tmp_path, np.ones((4, 2)), np.arange(4), "classification", meta, [])
    assert not leftover.exists()  # a writer cleans up after writers that are gone
    assert len(read_experience(tmp_path)) == 2 and not list(tmp_path.glob("*.tmp-*"))


def test_other_settings_are_refused(corpus, built):
    with pytest.raises(ValueError, match="was built with settings"):
        build_knowledge_base(corpus, built[0], n_jobs=1, progress=False, **{**SETTINGS, "cv": 3})


def test_a_repetition_draws_other_folds_of_the_same_rows(corpus, built, tmp_path):
    out = tmp_path / "repeat"
    build_knowledge_base(corpus, out, n_jobs=1, progress=False, repetition=1, datasets=["mixed"], **SETTINGS)
    first, again = load_knowledge_base(built[0]), load_knowledge_base(out)
    assert again.settings["repetition"] == 1 and "repetition" not in first.settings
    assert again.datasets().loc["mixed", "n_rows_used"] == first.datasets().loc["mixed", "n_rows_used"]
    folds = [_read(kb / "results" / "mixed" / "meta.json.gz")["folds"] for kb in (built[0], out)]
    assert folds[0] != folds[1]
    with pytest.raises(ValueError, match="was built with settings"):
        build_knowledge_base(corpus, built[0], n_jobs=1, progress=False, repetition=1, **SETTINGS)


def test_timeouts_are_recorded(corpus, tmp_path):
    build_knowledge_base(corpus, tmp_path / "kb", n_jobs=1, progress=False, datasets=["reg"],
                         **{**SETTINGS, "time_limit": 1e-4})
    results = load_knowledge_base(tmp_path / "kb").results()
    assert len(results) == 11 and (results["status"] == "timeout").all()


def test_new_folder_appends_datasets(corpus, tmp_path):
    import shutil

    first, second = tmp_path / "a", tmp_path / "b"
    for root, names in ((first, ["reg"]), (second, ["ints"])):
        (root / "data").mkdir(parents=True)
        manifest = pd.read_csv(corpus / "manifest.csv", keep_default_na=False)
        manifest[manifest.name.isin(names)].to_csv(root / "manifest.csv", index=False)
        for name in names:
            shutil.copy(corpus / "data" / f"{name}.csv.gz", root / "data")
    out = tmp_path / "kb"
    build_knowledge_base(first, out, n_jobs=1, progress=False, **SETTINGS)
    build_knowledge_base(second, out, n_jobs=1, progress=False, **SETTINGS)
    assert sorted(load_knowledge_base(out).dataset_names) == ["ints", "reg"]


def test_pack_round_trip_and_version_checks(built, tmp_path):
    kb = load_knowledge_base(built[0])
    path = tmp_path / "kb.json.gz"
    kb.save(path)
    packed = load_knowledge_base(path)
    pd.testing.assert_frame_equal(packed.results(), kb.results())
    pd.testing.assert_frame_equal(packed.metafeatures(), kb.metafeatures())
    table = packed.configs("regression")
    assert list(table.columns[4:]) == encoding_names("regression") and len(table) == 11
    payload = _read(path)
    assert payload["schema_version"] == SCHEMA_VERSION
    assert payload["encoding_version"] == ENCODING_VERSION
    assert set(payload["versions"]) == {"python", "numpy", "pandas", "scikit-learn", "metaselect"}
    for key, value in (("schema_version", SCHEMA_VERSION + 1), ("encoding_version", -1)):
        with pytest.raises(KnowledgeBaseVersionError, match=key.split("_")[0]):
            KnowledgeBase({**payload, key: value})
    duplicated = {**payload, "results": {k: v * 2 for k, v in payload["results"].items()}}
    with pytest.raises(CorruptResultError, match="duplicate"):
        KnowledgeBase(duplicated)


def test_meta_features_recomputed_from_the_folder(corpus, built, tmp_path):
    kb = load_knowledge_base(built[0])
    payload = kb._payload
    # As if packed by an older metaselect: fewer meta-features, other values.
    old = KnowledgeBase({**payload, "metafeature_names": payload["metafeature_names"][:5],
                         "datasets": [{**d, "metafeatures": [0.0] * 5} for d in payload["datasets"]]})
    fresh = old.with_metafeatures(corpus, n_jobs=1)
    assert fresh.metafeature_names == kb.metafeature_names
    repeatable = [c for c in kb.metafeatures().columns if c not in TIME_FEATURES]
    pd.testing.assert_frame_equal(fresh.metafeatures()[repeatable], kb.metafeatures()[repeatable])
    pd.testing.assert_frame_equal(fresh.results(), kb.results())
    other = tmp_path / "other"
    shutil.copytree(corpus, other)
    path = other / "data" / "ints.csv.gz"
    pd.read_csv(path).iloc[::-1].to_csv(path, index=False)  # same rows, another order
    with pytest.raises(ValueError, match="'ints'.*folds differ"):
        old.with_metafeatures(other, n_jobs=1)


def test_report_sbs_vbs(built):
    kb = load_knowledge_base(built[0])
    summary = task_summary(kb, "classification")
    norm = normalised_scores(kb, "classification")
    assert summary["sbs"] == norm.mean().idxmax()
    assert norm.max(axis=1).eq(1.0).all()
    clipped = clipped_scores(kb, "classification")
    # each figure against its definition (the VBS of every dataset, the SBS's mean), not VBS >= SBS
    assert summary["vbs_clipped"] == pytest.approx(clipped.max(axis=1).mean())
    assert summary["sbs_clipped"] == pytest.approx(clipped[summary["sbs"]].mean())
    assert summary["gap_normalised"] == pytest.approx(1.0 - norm[summary["sbs"]].mean())
    assert summary["gap_clipped"] == pytest.approx(summary["vbs_clipped"] - summary["sbs_clipped"])
    assert summary["wins"]["wins"].sum() == 2
    text = render_markdown(kb)
    assert "### Classification" in text and "### Regression" in text and summary["sbs"] in text


def test_shipped_knowledge_base_loads():
    kb = load_knowledge_base()
    assert kb.schema_version == SCHEMA_VERSION and kb.encoding_version == ENCODING_VERSION
    results = kb.results()
    for task in FAMILY_ORDER:
        n_datasets = (kb.datasets()["task"] == task).sum()
        assert n_datasets > 0 and len(kb.config_sets[task]) >= 100
        assert (results["task"] == task).sum() == n_datasets * len(kb.config_sets[task])
    assert not results.duplicated(["dataset", "config_id"]).any()
    assert os.path.getsize(kb.source) < 10e6


def test_datasets_folder_matches_manifest(corpus):
    assert DatasetFolder(corpus).names() == ["mixed", "ints", "reg"]


def test_knowledge_bases_built_apart_merge_when_comparable(corpus, tmp_path):
    import shutil

    from metaselect.cli import main

    parts = []
    for names in (["reg"], ["ints"]):
        root = tmp_path / names[0]
        (root / "data").mkdir(parents=True)
        manifest = pd.read_csv(corpus / "manifest.csv", keep_default_na=False)
        manifest[manifest.name.isin(names)].to_csv(root / "manifest.csv", index=False)
        shutil.copy(corpus / "data" / f"{names[0]}.csv.gz", root / "data")
        build_knowledge_base(root, tmp_path / f"kb_{names[0]}", n_jobs=1, progress=False, **SETTINGS)
        parts.append(load_knowledge_base(tmp_path / f"kb_{names[0]}"))
    packed = tmp_path / "merged.json.gz"
    assert main(["pack-kb", str(tmp_path / "kb_reg"), "--out", str(packed), "--add", str(tmp_path / "kb_ints")]) == 0
    merged = load_knowledge_base(packed)
    assert merged.dataset_names == ["reg", "ints"]
    expected = pd.concat([parts[0].results(), parts[1].results()], ignore_index=True)
    pd.testing.assert_frame_equal(merged.results(), expected)
    with pytest.raises(ValueError, match=r"\['reg'\] appear in more than one part"):
        parts[0].merged(parts[0])
    other = build_knowledge_base(tmp_path / "ints", tmp_path / "kb_other", n_jobs=1, progress=False,
                                 **{**SETTINGS, "cv": SETTINGS.get("cv", 3) + 1})
    assert other["units"] > 0
    with pytest.raises(ValueError, match="settings differ"):
        parts[0].merged(load_knowledge_base(tmp_path / "kb_other"))


def test_neighbourhood_set_draws_new_configurations_near_the_winners(built):
    kb = load_knowledge_base(built[0])
    extra = neighbourhood_set(kb, "classification", 6, random_state=0)
    assert extra == neighbourhood_set(kb, "classification", 6, random_state=0)
    assert len(extra) == 6 and len(set(extra.values())) == 6
    assert not set(extra.values()) & set(kb.config_sets["classification"].values())
    assert all(cid.startswith(f"{c.family}:n") for cid, c in extra.items())
    results = kb.results("classification")
    ok = results[results["status"] == "ok"]
    winners = set(ok.loc[ok.groupby("dataset")["mean_score"].idxmax(), "config_id"])
    assert {c.family for c in extra.values()} <= {kb.config_sets["classification"][w].family for w in winners}
    with pytest.raises(ValueError, match="n_configs must be a positive int"):
        neighbourhood_set(kb, "classification", 0)


def test_a_build_of_given_configurations_widens_the_first(corpus, built, tmp_path):
    first = load_knowledge_base(built[0])
    extra = {"regression": neighbourhood_set(first, "regression", 3, random_state=1),
             "classification": neighbourhood_set(first, "classification", 2, random_state=1)}
    out = tmp_path / "more"
    build_knowledge_base(corpus, out, n_jobs=1, progress=False, configs=extra, **SETTINGS)
    more = load_knowledge_base(out)
    assert more.config_sets == extra and more.settings["configs"] == "given"
    assert len(more.results("regression")) == 3 and len(more.results("classification")) == 2 * 2
    with pytest.raises(ValueError, match="differs from the one given"):
        build_knowledge_base(corpus, out, n_jobs=1, progress=False, configs={"regression": extra["regression"]},
                             **SETTINGS)
    from metaselect.cli import main

    assert main(["pack-kb", str(built[0]), "--out", str(tmp_path / "wide.json.gz"), "--widen", str(out)]) == 0
    wide = first.widened(more)
    pd.testing.assert_frame_equal(load_knowledge_base(tmp_path / "wide.json.gz").results(), wide.results())
    assert {t: len(c) for t, c in wide.config_sets.items()} == {
        t: N_CONFIGS[t] + len(extra[t]) for t in N_CONFIGS}
    pd.testing.assert_frame_equal(wide.results(), pd.concat([first.results(), more.results()], ignore_index=True))
    assert wide.dataset_names == first.dataset_names and wide.settings == first.settings
    assert list(wide.score_matrix("regression").columns) == [*first.config_sets["regression"], *extra["regression"]]
    with pytest.raises(ValueError, match="appear in more than one part"):
        wide.widened(more)
    part = tmp_path / "part"
    build_knowledge_base(corpus, part, n_jobs=1, progress=False, configs=extra, datasets=["reg"], **SETTINGS)
    with pytest.raises(ValueError, match=r"same datasets.*\['ints', 'mixed'\]"):
        first.widened(load_knowledge_base(part))


@pytest.mark.parametrize("configs, match", [
    ({"ranking": {}}, "configs must map tasks"),
    ({"regression": {"a": "ridge"}}, "must map str ids to Config"),
    ({"regression": {"a": Config("qda", {})}}, "not a built-in regression family"),
    ({"regression": {"a": Config("ridge", {"alpha": -1.0})}}, "outside"),
])
def test_given_configurations_are_checked(corpus, tmp_path, configs, match):
    with pytest.raises(ValueError, match=match):
        build_knowledge_base(corpus, tmp_path / "kb", n_jobs=1, progress=False, configs=configs, **SETTINGS)


def test_a_repetition_pooled_in_gives_every_result_both_cross_validations(corpus, built, tmp_path):
    from metaselect.cli import main

    out = tmp_path / "repeat"
    assert main(["build-kb", str(corpus), "--out", str(out), "--repetition", "1", "--no-progress",
                 *(f"--{k.replace('_', '-')}={v}" for k, v in SETTINGS.items())]) == 0
    first, again = load_knowledge_base(built[0]), load_knowledge_base(out)

    assert main(["pack-kb", str(built[0]), "--out", str(tmp_path / "pooled.json.gz"), "--pool", str(out)]) == 0
    pooled = load_knowledge_base(tmp_path / "pooled.json.gz")
    pd.testing.assert_frame_equal(pooled.results(), first.pooled(again).results())
    assert pooled.settings == {**first.settings, "repetitions": [0, 1]}
    mine, theirs, both = (kb.results().set_index(["dataset", "config_id"]) for kb in (first, again, pooled))
    assert both.index.equals(mine.index)
    ok = (mine["status"] == "ok") & (theirs.loc[mine.index, "status"] == "ok")
    assert (both["status"] == "ok").equals(ok) and ok.sum() > 0.8 * len(ok)
    for key in both.index[:10]:
        assert both.at[key, "fold_scores"] == [*mine.at[key, "fold_scores"], *theirs.at[key, "fold_scores"]]
    expected = (mine.loc[ok, "mean_score"] + theirs.loc[mine.index[ok], "mean_score"]) / 2
    np.testing.assert_allclose(both.loc[ok, "mean_score"], expected)
    np.testing.assert_allclose(both["fit_time"], (mine["fit_time"] + theirs.loc[mine.index, "fit_time"]) / 2)
    with pytest.raises(ValueError, match="repetitions must differ"):
        first.pooled(first)
    with pytest.raises(ValueError, match="not be pooled already"):
        pooled.pooled(again)
    part = tmp_path / "part"
    build_knowledge_base(corpus, part, n_jobs=1, progress=False, repetition=1, datasets=["reg"], **SETTINGS)
    with pytest.raises(ValueError, match=r"only one holds \['ints', 'mixed'\]"):
        first.pooled(load_knowledge_base(part))
