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
(`referat`) that scripts/soak.py uses for the minutes it drops into an inbox; --forums N
spreads the meetings over N forums (Chefforum and the committees of FORUMS, in turn, each
with its own run of dates), for the benchmarks of an archive of every forum.
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
#: The forums --forums takes in turn, as their minutes name them.
FORUMS = ["Chefforum", "Økonomiudvalget", "Kommunalbestyrelsen", "Teknik- og Miljøudvalget",
          "Børne- og Skoleudvalget", "Social- og Sundhedsudvalget", "Kultur- og Fritidsudvalget"]
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


def referat(day, chosen, forum="Chefforum"):
    """The text of one meeting of `forum` on `day` holding the (title, body) punkter
    `chosen`."""
    lines = [f"REFERAT {forum} d. {day:%d-%m-%Y}", "",
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
    ap.add_argument("--forums", type=int, default=1, choices=range(1, len(FORUMS) + 1),
                    metavar=f"1..{len(FORUMS)}", help="forums the meetings are spread over")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    items = sample_punkter(args.samples)
    args.out.mkdir(parents=True, exist_ok=True)
    days = [dt.date(2005, 1, 6)] * args.forums
    for n in range(args.meetings):
        f = n % args.forums
        day = days[f] = days[f] + dt.timedelta(days=rnd.choice([7, 14, 14, 21]))
        chosen = rnd.sample(items, min(len(items), rnd.randint(8, 12)))
        name = re.sub(r"\W+", "-", FORUMS[f].lower())
        (args.out / f"{name}-{day.isoformat()}.txt").write_text(
            referat(day, chosen, FORUMS[f]), encoding="utf-8")
    print(f"wrote {args.meetings} meetings of {args.forums} forum(s) to {args.out} "
          f"(last meeting {max(days).isoformat()})")


if __name__ == "__main__":
    main()
