"""Successive halving across algorithm families.

A :class:`~metaselect.search.SearchStrategy`: it proposes, the :class:`Runner` evaluates. Each *bracket* takes a
list of ranked configurations, evaluates all of them on a small stratified
subsample, keeps the best ``1/eta`` and evaluates the survivors on ``eta``
times more rows, up to the full data. The first bracket holds every family's
default configuration and the ranker's favourites; later brackets hold
configurations near the best so far and random ones weighted towards the
families that did well, ranked by the ranker's predictions corrected with what
this dataset has shown (``_propose.py``), until the budget or ``max_evals`` is
spent.
"""

from __future__ import annotations

import logging
import math

import numpy as np

from ..portfolio import Config
from ._planning import RungPlanner
from ._propose import propose
from ._runner import Runner
from ._strategy import SearchStrategy

__all__ = ["SuccessiveHalving"]

logger = logging.getLogger(__name__)

#: The anchor: the family whose default runs on all rows before any bracket, when the data is larger
#: than a first rung and it is predicted to take at most ``ANCHOR_SHARE`` of the time left (it gets
#: up to twice that). Learning curves cross: on a 245k-row table the boosting default scored 0.808
#: on the first rung's 3,030 rows, where a ridge scored 0.84, was pruned there, and a ridge won at
#: 0.847 on all rows where the boosting default, 1.5 s to fit, scores 0.862 (issue 23).
ANCHOR_FAMILY = "hist_gradient_boosting"
ANCHOR_SHARE = 0.1
#: Above this many training rows scikit-learn's histogram boosting stops early on a validation split
#: of its own (``early_stopping="auto"``): there the anchor asks for its space's most iterations
#: (512) and stops where the split says, which the default's 100 cut short on large tables. Design
#: set of ``benchmarks/bench_scale.py`` (split 0, one thread), the default against this: regression
#: R^2 movielens 0.232 -> 0.290, hotel_rates 0.952 -> 0.961, scorecard 0.714 -> 0.726, weather
#: 0.978 -> 0.988, deliveries 0.909 -> 0.911, ratdat 0.924 -> 0.925, equal on gss_wages and
#: anes_partytherms; classification close_elections 0.929 -> 0.955, equal on the other four
#: (stopped before 100); fits of 0.4 to 1.8 s where the default took 0.1 to 1.0 s.
EARLY_STOPPING_ROWS = 10_000
#: After an early-stopped anchor (more than ``EARLY_STOPPING_ROWS`` training rows), the same
#: configuration with these parameters also runs on all rows: the space's most leaves. Like any
#: candidate it wins only when it beats the anchor beyond noise (the refit's reference). Chosen on
#: the design set of ``benchmarks/bench_scale.py`` (``benchmarks/anchor_variants.py``: split 0,
#: one thread, held out, the anchor against this): regression R^2 scorecard 0.726 -> 0.732,
#: movielens 0.290 -> 0.296, weather 0.988 -> 0.992, Birthdays 0.991 -> 0.992, hotel_rates 0.961
#: -> 0.958, ratdat 0.925 -> 0.924, gss_wages 0.335 -> 0.317, equal on wvs_justifbribe and
#: anes_partytherms: no single shape wins, so cross-validation on all rows chooses, as for the
#: anchor (fits 0.9 to 2.4 times the anchor's).
WIDER_ANCHOR = {"max_leaf_nodes": 128}
#: Tasks that try the wider anchor: regression, where it was chosen (on the one classification
#: table of the probe, military, it scored as the anchor: 0.310 both).
WIDER_ANCHOR_TASKS = ("regression",)
#: Tasks that try target encoding by default (``target_encoding="auto"``): where the data has
#: many-valued columns (``target_encoded_columns``), the anchor runs again with them target-encoded
#: and, when that beats it clearly (``TARGET_ENCODING_STANDARD_ERRORS``), every later candidate gets
#: it. Chosen on regression (the design tables of ``benchmarks/bench_scale.py``: movielens' film and
#: user numbers); classification was not measured with it.
TARGET_ENCODING_TASKS = ("regression",)
#: Standard errors of its fold-by-fold lead by which the target-encoded anchor must beat the anchor
#: to be kept: a choice that every later candidate takes asks more than the refit's one (the
#: reference's). It decided none of the tables measured (docs/search_guide.md, "Target encoding of
#: many-valued columns"): where target encoding gained held out the lead was 15 to 20 standard
#: errors (movielens, InstEval), on the other 21 tables at most +0.9 but one (+2.0: kept, +0.008).
TARGET_ENCODING_STANDARD_ERRORS = 2.0


def _outcome(trials) -> str:
    """How the one candidate of ``trials`` ended, for the log: its score, else its status."""
    if not trials:
        return "not run"
    return f"{trials[0].mean_score:.4f}" if trials[0].status == "ok" else trials[0].status


def favourites(pool: list[Config], predicted: np.ndarray, per_family: int, limit: int) -> list[Config]:
    """The ranker's favourites among ``pool``: best predicted first, at most ``per_family`` of a
    family and ``limit`` in all; none when nothing is predicted."""
    chosen: list[Config] = []
    if not np.isfinite(predicted).any():
        return chosen
    taken: dict[str, int] = {}
    for i in np.argsort(-np.nan_to_num(predicted, nan=-np.inf), kind="stable"):
        family = pool[i].family
        if np.isfinite(predicted[i]) and taken.get(family, 0) < per_family:
            chosen.append(pool[i])
            taken[family] = taken.get(family, 0) + 1
        if len(chosen) >= limit:
            break
    return chosen


class SuccessiveHalving(SearchStrategy):
    """Bracketed successive halving over rows.

    Parameters
    ----------
    eta : int, default=3
        Keep ``1/eta`` of the candidates per rung; give survivors ``eta`` times the rows.
    min_resources : int, default=500
        Rows validated in the smallest rung (all rows if the data is smaller):
        with K-fold cross-validation that is the rung's rows, with a holdout
        (``cv="holdout"``) the rung has ``min_resources / runner.validated_share``
        rows, so its validation fold is as large.
    bracket_size : int or None, default=None
        Random configurations per later bracket; ``None`` means as many as
        there are families (at least 6).
    max_brackets : int, default=100
        Upper bound on brackets, for when the budget is large.
    pool_size : int, default=500
        Random configurations the ranker scores when it has predictions; the
        best of them (at most ``per_family`` per family) join the defaults in
        the first bracket, unless the dataset is out of distribution.
    per_family : int, default=2
        Most favourites of one family in the first bracket.
    race : bool, default=True
        On all rows, stop a candidate's cross-validation after a fold where it
        clearly trails the best candidate on the same folds (it is pruned, with
        an estimated score): most candidates are worse than the best so far, and
        their remaining folds cannot change the winner. Only with validation
        folds of at least 200 rows (``RACE_MIN_FOLD_ROWS``); no effect with a
        holdout or while an ensemble collects out-of-fold predictions.
    anchor : bool, default=True
        When the data is larger than a first rung, first validate the histogram
        gradient boosting default on all rows unless it is predicted to take more
        than a tenth of the time left (``ANCHOR_SHARE``; at most twice that is
        spent on it, also when nothing is predicted): a cheap, strong candidate
        whose score on a small rung understates it (learning curves cross), so
        the result does not end below it. On more than 10,000 training rows
        (``EARLY_STOPPING_ROWS``, where scikit-learn's histogram boosting stops
        early by itself) the anchor is the default with the space's most
        iterations, when that is predicted within the share; in regression its twin
        with the space's most leaves (``WIDER_ANCHOR``, the anchor's seed) then runs
        on all rows too. The anchor is then left out of the first bracket, and the
        refit keeps it unless the best candidate beats it beyond noise
        (:meth:`TrialHistory.beats`).
    target_encoding : bool or "auto", default="auto"
        Where the data has many-valued columns (identifiers: see
        :func:`~metaselect.preprocessing.target_encoded_columns`), validate the anchor again
        with those columns also target-encoded; when that beats the anchor by more than twice
        the standard error of their fold-by-fold lead (``TARGET_ENCODING_STANDARD_ERRORS``) it
        becomes the anchor and every later candidate is evaluated with target encoding
        (``Config.target_encoding``). ``"auto"``: for the tasks of ``TARGET_ENCODING_TASKS``
        (regression). Without an anchor, nothing is tried.
    """

    def __init__(self, eta: int = 3, min_resources: int = 500, bracket_size=None, max_brackets: int = 100,
                 pool_size: int = 500, per_family: int = 2, race: bool = True, anchor: bool = True,
                 target_encoding="auto"):
        self.eta = eta
        self.min_resources = min_resources
        self.bracket_size = bracket_size
        self.max_brackets = max_brackets
        self.pool_size = pool_size
        self.per_family = per_family
        self.race = race
        self.anchor = anchor
        self.target_encoding = target_encoding

    def resources(self, n_candidates: int, n_samples: int, validated_share: float = 1.0) -> list[int]:
        """Rows per rung for a bracket of ``n_candidates`` (the last rung is all rows), when a
        candidate is scored on ``validated_share`` of a rung's rows."""
        n_rungs = 1 + (math.ceil(math.log(n_candidates, self.eta)) if n_candidates > 1 else 0)
        smallest = math.ceil(self.min_resources / validated_share)
        sizes = []
        for k in range(n_rungs):
            size = int(n_samples / self.eta ** (n_rungs - 1 - k))
            size = min(n_samples, max(size, smallest))
            if not sizes or size > sizes[-1]:
                sizes.append(size)
        return sizes

    def planner(self, runner: Runner) -> RungPlanner:
        """The time planning of a search on ``runner`` (see :class:`RungPlanner`)."""
        return RungPlanner(runner, lambda n: self.resources(n, runner.n_samples, runner.validated_share),
                           self.eta, self.race)

    def run(self, runner: Runner) -> list[Config]:
        """Run brackets until the runner says stop."""
        guide = self.guide(runner)
        planner = self.planner(runner)
        configs = self.first_bracket(runner, guide)
        anchored = self._anchor(runner)
        if anchored is not None:
            configs = [c for c in configs if c.with_target_encoding(False) != anchored.with_target_encoding(False)]
        for bracket in range(self.max_brackets):
            if bracket > 0 and not configs and runner.can_continue():
                logger.info("stopping: the search space is exhausted (every configuration proposed was "
                            "evaluated), %.1fs of the budget left", runner.time_left())
                break
            if bracket > 0:
                configs = planner.within_budget(configs)
            if not configs or not runner.can_continue():
                break
            logger.info("bracket %d: %d candidates", bracket, len(configs))
            self._bracket(runner, planner, configs, replan=bracket > 0, guide=guide)
            configs = self._propose(runner, runner.random_state + bracket, guide)
        return []

    def _anchor(self, runner: Runner) -> Config | None:
        """Validate the anchor family's default on all rows (see ``anchor``); returns it when it
        was validated there, else ``None``."""
        if not self.anchor or ANCHOR_FAMILY not in runner.portfolio.families:
            return None
        if runner.n_samples <= self.resources(2, runner.n_samples, runner.validated_share)[0]:
            return None  # the first rung already has every row
        config = self._affordable_anchor(runner)
        if config is None:
            return None
        left = runner.time_left()
        trials = runner.evaluate([config], runner.n_samples, 0, share=2 * ANCHOR_SHARE * left, race=self.race)
        ok = bool(trials) and trials[0].status == "ok"
        logger.info("anchor %s on all %d rows: %s", config, runner.n_samples, _outcome(trials))
        if not ok:
            return None
        reference = self._try_target_encoding(runner, trials[0]) or trials[0]
        runner.keep_unless_beaten(reference)
        self._try_wider(runner, reference)
        return reference.config

    def _try_wider(self, runner: Runner, anchor) -> None:
        """The early-stopped anchor's configuration with ``WIDER_ANCHOR`` on all rows too (see
        there), the anchor's twin (its seed), raced against it; the anchor stays the refit's
        reference."""
        family = runner.portfolio[ANCHOR_FAMILY]
        early_stopped = anchor.config.params.get(family.work_param) == family.space.params[family.work_param].high
        if runner.context.task not in WIDER_ANCHOR_TASKS or not early_stopped or not runner.can_continue():
            return
        config = Config(family.name, {**anchor.config.params, **WIDER_ANCHOR})
        if runner.history.seen(config):
            return
        runner.twin(config, anchor.config)  # the anchor's seed: the same early-stopping split
        trials = runner.evaluate([config], runner.n_samples, 0, share=2 * ANCHOR_SHARE * runner.time_left(),
                                 race=self.race)
        logger.info("wider anchor %s on all %d rows: %s", config, runner.n_samples, _outcome(trials))

    def _try_target_encoding(self, runner: Runner, anchor):
        """The anchor's configuration again on all rows with target encoding, when this data has
        columns for it (see ``target_encoding``): its trial when it beats the anchor by more than
        ``TARGET_ENCODING_STANDARD_ERRORS`` standard errors of their fold-by-fold lead (every
        later candidate then gets target encoding), else ``None``."""
        wanted = (runner.context.task in TARGET_ENCODING_TASKS if self.target_encoding == "auto"
                  else bool(self.target_encoding))
        if not wanted or not runner.target_encoded or not runner.can_continue():
            return None
        share = 2 * ANCHOR_SHARE * runner.time_left()
        # raced against the anchor: one that clearly trails it after a fold stops there
        trials = runner.evaluate([anchor.config.with_target_encoding()], runner.n_samples, 0, share=share,
                                 race=self.race)
        kept = (bool(trials) and trials[0].status == "ok"
                and runner.history.beats(trials[0], anchor, TARGET_ENCODING_STANDARD_ERRORS))
        logger.info("anchor with %d column(s) target-encoded: %s; %s", len(runner.target_encoded),
                    _outcome(trials), "kept for every candidate" if kept else "not kept")
        if not kept:
            return None
        runner.use_target_encoding()
        return trials[0]

    @staticmethod
    def _affordable_anchor(runner: Runner) -> Config | None:
        """The anchor to run: on more than ``EARLY_STOPPING_ROWS`` training rows the early-stopped
        default with the space's most iterations, else (or when that is predicted too slow) the
        default; ``None`` when the default is predicted too slow too."""
        family = runner.portfolio[ANCHOR_FAMILY]
        default = family.default_config()  # ranked with the first bracket
        candidates = [default]
        if runner.rows.train_rows(runner.n_samples) > EARLY_STOPPING_ROWS:
            longest = family.space.params[family.work_param].high
            candidates.insert(0, Config(family.name, {**default.params, family.work_param: longest}))
        runner.rank(candidates)  # their predicted times (the early-stopped one was not ranked yet)
        left = runner.time_left()
        for config in candidates:
            predicted = runner.time.predicted(config, runner.n_samples)
            if not predicted > ANCHOR_SHARE * left:  # NaN (nothing predicted): run, with the share's cap
                return config
            logger.info("anchor %s: predicted %.1fs on all %d rows, over %.0f%% of the %.1fs left; not run",
                        config, predicted, runner.n_samples, 100 * ANCHOR_SHARE, left)
        return None

    def guide(self, runner: Runner):
        """Per-fit state that orders candidates from what this dataset has shown (none here:
        see :class:`~metaselect.search.AdaptiveHalving`). It has ``order(configs)``, called
        before each wave of a first rung with the candidates not started yet, and
        ``rescore``, ``None`` or a function giving the preference for later brackets'
        proposals."""
        return None

    def first_bracket(self, runner: Runner, guide=None) -> list[Config]:
        """Every default, plus the ranker's favourites from a random pool when it has predictions;
        ranked in one call."""
        portfolio, seed = runner.portfolio, runner.random_state
        defaults = portfolio.defaults()
        pool = portfolio.sample(self.pool_size, random_state=seed) if self.pool_size else []
        pool = [c for c in dict.fromkeys(pool) if c not in defaults]
        ranking = runner.rank(defaults + pool)
        configs = list(defaults)
        if not runner.context.extra.get("out_of_distribution"):
            configs += favourites(pool, ranking.score[len(defaults):], self.per_family,
                                  2 * len(portfolio) - len(defaults))
        chosen = set(configs)
        return [c for c in ranking.ranked() if c in chosen]

    def _bracket(self, runner: Runner, planner: RungPlanner, configs: list[Config], replan: bool = False,
                 guide=None) -> None:
        """Successive halving of ``configs``; the planner runs each rung (the first a wave at a
        time: :meth:`RungPlanner.first_rung`; ``replan``: re-plan it with measured times;
        ``guide``: order each wave, see :meth:`guide`)."""
        alive = configs
        sizes = planner.schedule(len(configs))
        for rung, size in enumerate(sizes):
            alive = planner.affordable(alive, size) if rung > 0 else planner.plannable(alive, size)
            if rung == 0:
                trials = planner.first_rung(alive, sizes, replan, guide)
                alive = list(dict.fromkeys(t.config for t in trials))
            else:
                trials = planner.later_rung(alive, size, rung)
            if rung == len(sizes) - 1 or not runner.can_continue():
                return
            ok = sorted((t for t in trials if t.status == "ok"), key=lambda t: -t.mean_score)
            keep = max(1, math.ceil(len(alive) / self.eta))
            for trial in ok[keep:]:
                runner.prune(trial)
            alive = [t.config for t in ok[:keep]]
            if not alive:
                return

    def _propose(self, runner: Runner, seed: int, guide=None) -> list[Config]:
        """The next bracket: near the best so far and corrected by this dataset (``_propose.py``;
        ranked by ``guide.rescore`` when there is a guide), those predicted to cross-validate on
        all rows in the time left first."""
        n = self.bracket_size or max(6, len(runner.portfolio))
        left = runner.time_left()

        def fits(config: Config) -> bool:
            return not runner.time.predicted(config, runner.n_samples) > left

        return propose(runner, n, seed, per_family=max(2, n // 3), rescore=getattr(guide, "rescore", None),
                       fits=fits)
