#!/usr/bin/env python3
"""Fit the verdict (retrieval/verdict.py) on the tuning questions and write its
coefficients and thresholds to retrieval/data/verdict.json.

Each tuning question is walked through the answerer over an indexed data dir (the five
samples: `referatbot ingest data/samples`), twice: with the embedding model, and on the
words alone as a server answers while its model loads. Its first punkt's features are
labelled 1 when the question is answerable and that punkt is the right one, else 0, and a
logistic regression with an L2 penalty is fitted per mode (numpy and scipy; the penalty
picked by leave-one-out log-loss). Reported on stderr: the coefficients, leave-one-out
log-loss, Brier score and AUC, a calibration table, and the trade-off curve of the answer
threshold. The thresholds: `high` where the worse of refused answerable questions and
confident off-topic answers, each relative to its target (1 in 20, 1 in 5), is least, on
the leave-one-out probabilities; `low` where at most 1 in 20 answerable questions whose
right punkt ranks first would get nothing.

    python scripts/fit_verdict.py --data-dir DATA_DIR            # fit and write
    python scripts/fit_verdict.py --data-dir DATA_DIR --dry-run  # report only

Only the tuning questions are read: held-out files are never fitted on.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
from scipy.optimize import minimize  # noqa: E402

from bot.settings import Settings  # noqa: E402
from bot.stores import open_catalog, open_index  # noqa: E402
from retrieval.answer import Answerer  # noqa: E402
from retrieval.evaluate import load_questions, tuning_part  # noqa: E402
from retrieval.tuning import TUNING, VERDICT_FILE, Model, VerdictModel  # noqa: E402

FIXTURES = ROOT / "tests" / "retrieval" / "fixtures"
TUNING_FILES = (FIXTURES / "questions_tuning.jsonl", FIXTURES / "questions_verdict.jsonl")
#: The features of each model: the hybrid one has the embedding model's evidence, the
#: lexical one only what the words give.
FEATURES = {
    "hybrid": ("coverage", "sentence", "runner_up", "median", "fact_missing", "person_missing",
               "title", "english"),
    "lexical": ("coverage", "match", "lead", "fact_missing", "person_missing", "title",
                "english"),
}
PENALTIES = (0.1, 0.3, 1.0, 3.0, 10.0)
#: The targets the answer threshold weighs: answerable questions refused, off-topic ones
#: answered with confidence.
REFUSED_TARGET, CONFIDENT_TARGET = 1 / 20, 1 / 5
#: The questions are walked with no fitted verdict (every probability 0.5), so that the
#: fit never depends on the coefficients it replaces; the features do not depend on them.
UNFITTED = dataclasses.replace(TUNING, verdict=VerdictModel(*[Model(0.0, {}, 1.0, 0.0)] * 2))


@dataclass
class Row:
    id: str
    answerable: bool
    label: int
    features: dict[str, float]


def log(text: str = "") -> None:
    print(text, file=sys.stderr, flush=True)


def rows(answerer: Answerer, questions: list[dict]) -> list[Row]:
    """A row per question the verdict weighed (meeting questions and routes decided
    without weighing a punkt have none)."""
    out = []
    for q in questions:
        if q["kind"] == "meeting":
            continue
        verdict = answerer.walk(q["question"]).verdict
        if not verdict.features:
            continue
        top = verdict.candidates.punkter[0]
        right = (top.meeting.meeting_date.isoformat(), top.punkt.number) == \
            (q.get("meeting_date"), q.get("punkt"))
        answerable = q["kind"] != "negative"
        out.append(Row(q["id"], answerable, int(answerable and right), dict(verdict.features)))
    return out


def fit(x: np.ndarray, y: np.ndarray, penalty: float) -> np.ndarray:
    """Weights (intercept first) minimising log-loss plus penalty/2 x |coefficients|^2."""
    def loss(w):
        z = x @ w
        return np.sum(np.logaddexp(0.0, z) - y * z) + penalty * np.sum(w[1:] ** 2) / 2

    def grad(w):
        g = x.T @ (1.0 / (1.0 + np.exp(-(x @ w))) - y)
        g[1:] += penalty * w[1:]
        return g

    return minimize(loss, np.zeros(x.shape[1]), jac=grad, method="L-BFGS-B").x


def leave_one_out(x: np.ndarray, y: np.ndarray, penalty: float) -> np.ndarray:
    p = np.zeros(len(y))
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        p[i] = 1.0 / (1.0 + np.exp(-(x[i] @ fit(x[keep], y[keep], penalty))))
    return p


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def auc(p: np.ndarray, y: np.ndarray) -> float:
    pos, neg = p[y == 1], p[y == 0]
    return float(np.mean([(a > b) + 0.5 * (a == b) for a in pos for b in neg]))


def calibration(p: np.ndarray, y: np.ndarray, bins: int = 5) -> list[str]:
    lines = ["predicted   questions  mean predicted  observed"]
    for k in range(bins):
        lo, hi = k / bins, (k + 1) / bins
        inside = (p >= lo) & ((p < hi) if k < bins - 1 else (p <= hi))
        if inside.any():
            lines.append(f"{lo:.1f}-{hi:.1f}   {inside.sum():9d}  {p[inside].mean():14.2f}"
                         f"  {y[inside].mean():8.2f}")
    return lines


def curve(p: np.ndarray, found: list[Row]) -> list[tuple[float, float, float]]:
    """(threshold, share of answerable questions refused, share of off-topic ones answered
    with confidence) over thresholds 0.00..1.00."""
    answerable = np.array([r.answerable for r in found])
    out = []
    for t in np.round(np.arange(0.0, 1.0001, 0.025), 3):
        refused = float(np.mean(p[answerable] < t)) if answerable.any() else 0.0
        confident = float(np.mean(p[~answerable] >= t)) if (~answerable).any() else 0.0
        out.append((float(t), refused, confident))
    return out


def thresholds(p: np.ndarray, found: list[Row]) -> tuple[float, float]:
    points = curve(p, found)
    high = min(points, key=lambda c: (max(c[1] / REFUSED_TARGET, c[2] / CONFIDENT_TARGET),
                                      -c[0]))[0]
    right = np.sort(p[np.array([r.label == 1 for r in found])])
    low = float(right[int(len(right) * REFUSED_TARGET)]) if len(right) else 0.0
    return high, min(round(low, 3), high)


def fit_mode(name: str, found: list[Row]) -> dict:
    names = FEATURES[name]
    x = np.array([[1.0] + [r.features[n] for n in names] for r in found])
    y = np.array([r.label for r in found], dtype=float)
    scored = {pen: leave_one_out(x, y, pen) for pen in PENALTIES}
    penalty = min(PENALTIES, key=lambda pen: log_loss(scored[pen], y))
    p = scored[penalty]
    w = fit(x, y, penalty)
    high, low = thresholds(p, found)
    log(f"== {name}: {len(found)} questions, {int(y.sum())} answered rightly by their first "
        f"punkt; L2 penalty {penalty} (leave-one-out log-loss "
        + ", ".join(f"{pen}: {log_loss(scored[pen], y):.3f}" for pen in PENALTIES) + ")")
    log("coefficients: intercept %.3f, " % w[0]
        + ", ".join(f"{n} {c:.3f}" for n, c in zip(names, w[1:])))
    log(f"leave-one-out: log-loss {log_loss(p, y):.3f}, Brier {np.mean((p - y) ** 2):.3f}, "
        f"AUC {auc(p, y):.3f}")
    for line in calibration(p, y):
        log("  " + line)
    log("trade-off of the answer threshold (leave-one-out):")
    log("  threshold  answerable refused  off-topic answered with confidence")
    for t, refused, confident in curve(p, found)[::2]:
        log(f"  {t:9.3f}  {refused:18.2f}  {confident:34.2f}")
    log(f"thresholds: high {high}, low {low}")
    return {"features": list(names), "intercept": round(float(w[0]), 4),
            "coefficients": {n: round(float(c), 4) for n, c in zip(names, w[1:])},
            "penalty": penalty, "thresholds": {"high": high, "low": low},
            "leave_one_out": {"log_loss": round(log_loss(p, y), 4),
                              "brier": round(float(np.mean((p - y) ** 2)), 4),
                              "auc": round(auc(p, y), 4)},
            "questions": len(found), "answered_rightly": int(y.sum())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=os.environ.get("REFERATBOT_DATA_DIR"),
                    help="an indexed data dir over data/samples [env: REFERATBOT_DATA_DIR]")
    ap.add_argument("--out", type=Path, default=VERDICT_FILE)
    ap.add_argument("--dry-run", action="store_true", help="report, write nothing")
    args = ap.parse_args()
    if args.data_dir is None:
        ap.error("give --data-dir (or REFERATBOT_DATA_DIR): an indexed data dir over the samples")
    questions = [q for path in TUNING_FILES for q in tuning_part(load_questions(path))]
    settings = Settings.from_env().with_(data_dir=args.data_dir)
    with open_catalog(settings) as catalog:
        index = open_index(settings, catalog)
        index.sync(progress=False)
        fitted = {"hybrid": fit_mode("hybrid", rows(Answerer(index, tuning=UNFITTED), questions)),
                  "lexical": fit_mode("lexical", rows(Answerer.lexical(index, tuning=UNFITTED),
                                                      questions))}
    data = {"about": "The verdict's logistic regressions and thresholds, fitted by "
                     "scripts/fit_verdict.py on the tuning questions "
                     + ", ".join(p.relative_to(ROOT).as_posix() for p in TUNING_FILES)
                     + " (the tuning part of each).",
            **fitted}
    if not args.dry_run:
        args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n",
                            encoding="utf-8")
        log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
