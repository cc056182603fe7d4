#!/usr/bin/env python3
"""Write a large synthetic corpus of referater for scale benchmarks.

Each synthetic meeting is a plain-text referat in the same layout as the files in
../corpus/: a header with the meeting date, a table of contents, and 8-12 punkter
recombined from the real sample punkter (their body text kept, their order and
meeting dates new). Deterministic for a given --seed.

    python3 synth_corpus.py --meetings 1000 --out synth

Copied from the shared tools (../shared/tools/synth_corpus.py, written for this project's
benchmarks) so that the tests and scripts/bench_ingest.py do not depend on a folder
outside the repository. Changes: the sample punkter are read from data/samples/ (or
--samples DIR) instead of ../corpus/, and a --samples folder with fewer than 8 open
punkter is recombined whole rather than failing; one meeting's text is a function
(`referat`) that scripts/soak.py uses for the minutes it drops into an inbox.
"""
import argparse
import datetime as dt
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent / "data" / "samples"
HEAD = re.compile(r"^(?:#+\s*)?\**\s*Punkt\s+(\d+)\s*:\s*(.*?)\**\s*$", re.M)
WEEKDAYS = ["Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag", "Lørdag", "Søndag"]
MONTHS = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
          "september", "oktober", "november", "december"]


def sample_punkter(samples=SAMPLES):
    items = []
    for f in sorted(Path(samples).glob("*.txt")):
        text = f.read_text(encoding="utf-8").replace("*", "")
        heads = list(HEAD.finditer(text))
        for i, h in enumerate(heads):
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            title = re.sub(r"^#+\s*", "", h.group(2)).strip()
            body = re.sub(r"^#+\s*", "", text[h.end():end], flags=re.M).strip()
            if title != "Lukket":
                items.append((title, body))
    return items


def referat(day, chosen):
    """The text of one meeting on `day` holding the (title, body) punkter `chosen`."""
    lines = [f"REFERAT Chefforum d. {day:%d-%m-%Y}", "",
             f"Mødedato {WEEKDAYS[day.weekday()]} d. {day.day:02d}. {MONTHS[day.month - 1]} {day.year} kl. 09:00",
             "", "Mødested Mødelokale 1", "", "Indholdsfortegnelse", ""]
    lines += [f"{t}.....\t{3 + 2 * n}" for n, (t, _) in enumerate(chosen)]
    lines.append("")
    for n, (t, body) in enumerate(chosen, 1):
        lines += [f"Punkt {n}: {t}", "", body, ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--meetings", type=int, default=100)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--samples", type=Path, default=SAMPLES,
                    help="folder of sample referater to recombine (default: data/samples)")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    items = sample_punkter(args.samples)
    args.out.mkdir(parents=True, exist_ok=True)
    day = dt.date(2005, 1, 6)
    for _ in range(args.meetings):
        day += dt.timedelta(days=rnd.choice([7, 14, 14, 21]))
        chosen = rnd.sample(items, min(len(items), rnd.randint(8, 12)))
        (args.out / f"chefforum-{day.isoformat()}.txt").write_text(referat(day, chosen), encoding="utf-8")
    print(f"wrote {args.meetings} meetings to {args.out} (last meeting {day.isoformat()})")


if __name__ == "__main__":
    main()
