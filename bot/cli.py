"""The `referatbot` command: a thin layer over the factories the tests use.

Human output goes to stdout, progress, warnings and errors to stderr, and with --json
stdout holds only JSON. Human output is written line by line (`_echo`), each line's
control characters escaped: file names, titles and what Teams users wrote come from
outside, and must not forge a line or send the terminal escape codes. The log's lines
are escaped alike, by the formatter installed here (`bot.printable`).
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import sys
from pathlib import Path

import click

from bot.meeting_lookup import Found, NoMeeting, NoPunkt, look_up
from bot.printable import EscapingFormatter, one_line
from bot.settings import Settings, SettingsError
from bot.stores import open_catalog, open_embedder, open_index
from bot.teams.manifest_cli import manifest_command
from ingest.dates import parse_day
from ingest.db import CatalogUnavailable, redact
from ingest.model import Outcome
from ingest.pipeline import ingest_paths
from retrieval.forums import ForumNames
from retrieval.phrasebook import say
from retrieval.store import ModelMismatch, StoreUnavailable


def _dump(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False))


def _echo(line: str = "", *, err: bool = False) -> None:
    """One line of human output, its control characters escaped."""
    click.echo(one_line(line), err=err)


@click.group()
@click.option("--data-dir", type=click.Path(path_type=Path), envvar="REFERATBOT_DATA_DIR",
              help="Where the catalog and the embedded Chroma live [env: REFERATBOT_DATA_DIR].")
@click.option("-v", "--verbose", is_flag=True, help="Log more to stderr.")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, verbose: bool) -> None:
    """referatbot: find what Chefforum decided."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(EscapingFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler])
    try:
        settings = Settings.from_env()
    except SettingsError as e:
        raise click.ClickException(str(e)) from e
    ctx.obj = settings.with_(data_dir=data_dir)


def _catalog(settings: Settings):
    try:
        return open_catalog(settings)
    except CatalogUnavailable as e:
        raise click.ClickException(str(e)) from e


def _index(settings: Settings, catalog, **kwargs):
    try:
        return open_index(settings, catalog, **kwargs)
    except (ModelMismatch, StoreUnavailable, RuntimeError) as e:
        raise click.ClickException(str(e)) from e


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def ingest(settings: Settings, paths: tuple[Path, ...]) -> None:
    """Read minutes (files or folders of .txt .md .pdf .docx .html) into the catalog and index."""
    with _catalog(settings) as catalog:
        report = ingest_paths(list(paths), catalog, default_forum=settings.default_forum)
        index = _index(settings, catalog)
        indexed = index.sync()
        for r in report.refused:
            _echo(f"refused: {r.path}: {r.reason}", err=True)
        for r in report.repaired:
            _echo(f"warning: {r.path}: {r.warning}", err=True)
        if report.skipped:
            _echo(report.skipped_summary(), err=True)
        meetings, punkter = catalog.count()
        _echo(f"{report.summary()}; {indexed} meeting(s) indexed; catalog holds "
              f"{meetings} meeting(s), {punkter} punkter", err=True)
    if not report.ok:
        sys.exit(1)


@main.command()
@click.pass_obj
def reindex(settings: Settings) -> None:
    """Rebuild the search index from the catalog (after changing the embedding model)."""
    # Load the model before dropping the old vectors: a model that cannot load must not
    # cost the index that works.
    embedder = open_embedder(settings)
    try:
        embedder.load()
    except RuntimeError as e:
        raise click.ClickException(str(e)) from e
    with _catalog(settings) as catalog:
        index = _index(settings, catalog, embedder=embedder, fresh=True)
        index.clear()
        n = index.sync()
        click.echo(f"reindexed {n} meeting(s), {index.store.count()} chunks", err=True)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def meetings(settings: Settings, as_json: bool) -> None:
    """List the meetings in the catalog."""
    with _catalog(settings) as catalog:
        rows = catalog.meetings()
    if as_json:
        _dump([m.to_json() for m in rows])
        return
    if not rows:
        click.echo("no meetings yet: run `referatbot ingest PATH`", err=True)
    for m in rows:
        _echo(f"{m.meeting_date:%d-%m-%Y}  {m.forum}  {m.punkter} punkter  {m.source}")


@main.command()
@click.argument("date")
@click.argument("punkt", required=False, type=int)
@click.option("--forum", "forum_name", metavar="NAME",
              help="The forum, when several met that day (its name in any form, or its "
                   "initials: CF, KB, TMU).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def show(settings: Settings, date: str, punkt: int | None, forum_name: str | None,
         as_json: bool) -> None:
    """Show a meeting (DATE as 2024-04-24, 24-04-2024 or 24.04.2024), or one PUNKT of it."""
    try:
        day = parse_day(date)
    except ValueError as e:
        raise click.ClickException(str(e)) from e
    with _catalog(settings) as catalog:
        forum = _forum_of(settings, catalog, forum_name, day)
        found = look_up(catalog, day, punkt, forum)
    of = f" of {forum}" if forum else ""
    if isinstance(found, NoMeeting):
        near = ", ".join(f"{d:%d-%m-%Y}" for d in found.nearest)
        raise click.ClickException(
            f"no meeting{of} on {day:%d-%m-%Y}" + (f"; nearest: {near}" if near else ""))
    if isinstance(found, NoPunkt):
        raise click.ClickException(f"the meeting{of} on {day:%d-%m-%Y} has no punkt {punkt} "
                                   f"(it has {', '.join(map(str, found.numbers))})")
    meeting, item = found.meeting, found.punkt
    if item is not None:
        if as_json:
            _dump(item.to_json())
        else:
            for line in _punkt_lines(item):
                _echo(line)
        return
    if as_json:
        _dump(meeting.to_json())
        return
    _echo(f"{meeting.forum} {day:%d-%m-%Y} kl. {meeting.time}, {meeting.place}")
    for p in meeting.punkter:
        for line in ["", *_punkt_lines(p)]:
            _echo(line)


@main.command("case")
@click.argument("number")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def case_path(settings: Settings, number: str, as_json: bool) -> None:
    """Every punkt of case NUMBER (83.02.00-A00-1-23, EMN-2025-003383, in any case and
    spacing) across meetings and forums, oldest first, each with its decision."""
    with _catalog(settings) as catalog:
        steps = catalog.case_path(number)
    if not steps:
        raise click.ClickException(f"no punkt has the case number {number!r}")
    if as_json:
        _dump({"case_number": steps[-1].punkt.case_number,
               "path": [step.to_json() for step in steps]})
        return
    for step in steps:
        p = step.punkt
        _echo(f"{step.meeting_date:%d-%m-%Y}  {step.forum}  punkt {p.number}: {p.title}")
        _echo(f"  {p.decision}" if p.decision else "  (ingen beslutning)")


def _forum_of(settings: Settings, catalog, name: str | None, day: dt.date) -> str | None:
    """The forum `--forum NAME` names; without it, None when at most one forum met on
    `day`, and an error naming each forum that did when several did."""
    if name is not None:
        try:
            return ForumNames(catalog.forums(), settings.forum_aliases).only(name)
        except ValueError as e:
            raise click.ClickException(f"--forum {e}") from e
    met = catalog.forums_on(day)
    if len(met) > 1:
        raise click.ClickException(
            f"{len(met)} forums met on {day:%d-%m-%Y}: {', '.join(met)}; choose one with "
            f"--forum NAME")
    return None


def _punkt_lines(p) -> list[str]:
    if p.closed:
        return [f"Punkt {p.number}: Lukket"]
    lines = [f"Punkt {p.number}: {p.title}" + (f" (sag {p.case_number})" if p.case_number else "")]
    for name, text in p.sections.items():
        lines += [f"  {name}:", *("    " + line for line in text.splitlines())]
    if p.bilag:
        lines += ["  Bilag:", *("    - " + b for b in p.bilag)]
    return lines


def _answerer(settings: Settings, catalog):
    from retrieval.answer import Answerer

    index = _index(settings, catalog)
    index.sync(progress=False)
    return Answerer(index)


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object a line with -).")
@click.pass_obj
def ask(settings: Settings, question: str, as_json: bool) -> None:
    """Answer QUESTION from the minutes; QUESTION '-' reads one question a line from stdin."""
    with _catalog(settings) as catalog:
        answerer = _answerer(settings, catalog)
        questions = sys.stdin if question == "-" else [question]
        for line in questions:
            if question == "-" and not line.strip():
                continue
            answer = answerer.ask(line)
            if as_json:
                _dump(answer.to_json())
                sys.stdout.flush()
            else:
                click.echo(format_answer(answer))


def format_answer(answer) -> str:
    """An answer for a terminal: the answer, then each source with its snippet (a list
    item in it on a line of its own), each line escaped (`_echo`)."""
    lines = answer.answer.splitlines()
    if answer.meeting:
        lines += [f"  {n}. {t}" for n, t in answer.meeting.items]
    sources = say("sources", answer.lang) + ":"
    for label, cites in ((sources, answer.citations), (say("maybe", answer.lang), answer.suggestions)):
        if cites:
            lines += ["", label]
        for c in cites:
            lines.append(f"- {c.forum} {c.meeting_date:%d.%m.%Y}, punkt {c.punkt}: {c.title}"
                         + (f" (sag {c.case_number})" if c.case_number else ""))
            snippet = f"{c.section}: {c.snippet}" if c.section else c.snippet
            lines += ["  " + line for line in snippet.splitlines()]
    return "\n".join(one_line(line) for line in lines)


@main.command("eval")
@click.argument("questions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the per-question results as JSON lines.")
@click.option("--split", type=click.Choice(["tuning", "heldout"]),
              help="Only that part of a question file split into parts.")
@click.option("--explain", "explain_id", metavar="ID",
              help="Print what each stage of the answering made of question ID, and nothing else.")
@click.pass_obj
def evaluate(settings: Settings, questions: Path, as_json: bool, split: str | None,
             explain_id: str | None) -> None:
    """Score a question file (see ../shared/eval/README.md) against plain baselines."""
    from retrieval.evaluate import (Report, baseline_ranks, explain, format_table,
                                    load_questions, note_verdict, score_answer)

    qs = load_questions(questions, split)
    if explain_id is not None:
        wanted = [q for q in qs if q["id"] == explain_id]
        if not wanted:
            raise click.ClickException(f"no question {explain_id!r} in {questions}")
    with _catalog(settings) as catalog:
        answerer = _answerer(settings, catalog)
        if explain_id is not None:
            click.echo(explain(answerer.walk(wanted[0]["question"])))
            return
        closed = {(m.forum, m.meeting_date.isoformat(), p.number)
                  for m in catalog.iter_meetings() for p in m.punkter if p.closed}
        ours = Report()
        for q in qs:
            asked = answerer.ask(q["question"])
            answer = asked.to_json()
            missed = score_answer(q, answer, ours, closed)
            note_verdict(q, asked, ours)
            if as_json:
                _dump({"id": q["id"], "missed": missed, "answer": answer})
            elif missed:
                top = answer["citations"][:1] or answer["suggestions"][:1]
                got = f"{top[0]['meeting_date']} p{top[0]['punkt']}" if top else "-"
                click.echo(f"{q['id']} {q['kind']:<10} missed {','.join(missed):<22} "
                           f"want {q['meeting_date']} p{q['punkt']}, got {got} "
                           f"({answer['confidence']})", err=True)
        table = format_table(ours, baseline_ranks(answerer, qs))
    click.echo(table, err=as_json)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def status(settings: Settings, as_json: bool) -> None:
    """What the catalog holds and the inbox's last intake (also while serve runs)."""
    from bot.jobs.intake import Intake

    with _catalog(settings) as catalog:
        meetings, punkter = catalog.count()
        intake = Intake(catalog.db)
        last = next(iter(intake.intakes(1)), None)
        refused = sorted((f for f in intake.files().values() if f.status == Outcome.REFUSED
                          and (settings.inbox is None or (settings.inbox / f.path).is_file())),
                         key=lambda f: f.path)
    if as_json:
        _dump({"catalog": {"meetings": meetings, "punkter": punkter},
               "last_intake": last.to_json() if last else None,
               "refused": [{"path": f.path, "reason": f.reason, "taken_at": f.taken_at}
                           for f in refused]})
        return
    _echo(f"catalog: {meetings} meeting(s), {punkter} punkter")
    for line in _intake_lines(last):
        _echo(line)
    if refused:
        _echo("refused, and not read again until changed:")
        for f in refused:
            _echo(f"  {f.path}: {f.reason}")


def _intake_lines(last) -> list[str]:
    if last is None:
        return ["last intake: none (the inbox, REFERATBOT_INBOX, has taken no file yet)"]
    lines = [f"last intake: {last.finished_at} by {last.owner}: {len(last.files)} file(s), "
             f"{last.count(Outcome.NEW)} meeting(s) added, {last.count(Outcome.REFUSED)} refused"]
    for f in last.files:
        lines.append(f"  {f.status}: {f.path}" + (f" ({f.meeting_date})" if f.meeting_date else "")
                     + (f": {f.reason}" if f.reason else "") + (f"; {f.warning}" if f.warning else ""))
    return lines


@main.command()
@click.option("--port", type=int, default=None, help="Port to listen on [env: PORT; default 3978].")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              envvar="REFERATBOT_WORKERS",
              help="Processes answering on the port; more than one needs a Chroma server "
                   "(CHROMA_HOST) [env: REFERATBOT_WORKERS].")
@click.option("--worker", is_flag=True, hidden=True)  # one of --workers' processes
@click.pass_obj
def serve(settings: Settings, port: int | None, host: str, workers: int, worker: bool) -> None:
    """Run the bot: Teams at /api/messages, /api/ask, and a local chat page at /."""
    from bot import workers as worker_processes
    from bot.app import create_app

    settings = settings.with_(port=port)
    logging.getLogger("bot").setLevel(min(logging.getLogger().level, logging.INFO))
    if workers > 1 and not settings.chroma_host:
        raise click.ClickException(
            f"--workers {workers} needs a Chroma server (CHROMA_HOST, `chroma run`): embedded "
            "Chroma is for one process (docs/operations.md)")
    try:
        app = create_app(settings)
    except SettingsError as e:
        raise click.ClickException(str(e)) from e
    if worker:
        _listen(app, host, settings.port, shared=True)
        return
    click.echo(f"referatbot: local chat page on {_address(host, settings.port)} "
               f"(Teams endpoint: /api/messages, data: {settings.data_dir}, "
               f"catalog: {redact(settings.catalog)})", err=True)
    if not _loopback(host):
        where = "every interface" if host in WILDCARDS else host
        click.echo(f"referatbot: warning: listening on {where}, not this machine alone: "
                   "/api/ask, /api/chat and the chat page answer anyone who can reach port "
                   f"{settings.port}, without authentication; publish only /api/messages "
                   "(docs/security.md)", err=True)
    others = worker_processes.start(workers, settings.data_dir, host, settings.port) \
        if workers > 1 else []
    try:
        _listen(app, host, settings.port, shared=workers > 1)
    finally:
        worker_processes.stop(others)


def _listen(app, host: str, port: int, *, shared: bool) -> None:
    """Serve `app` until stopped; `shared`: beside the other workers on the port."""
    from aiohttp import web

    try:
        web.run_app(app, host=host, port=port, print=None, reuse_port=shared or None)
    except OSError as e:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {e.strerror or e} (choose another --port)") from e


#: Hosts that bind every interface.
WILDCARDS = ("0.0.0.0", "::", "")


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to any interface
        return False


def _address(host: str, port: int) -> str:
    """The chat page's URL as `serve --host HOST` listens: localhost for 127.0.0.1, the
    address itself for any other (0.0.0.0 for every interface)."""
    shown = "localhost" if host == "127.0.0.1" else host or "0.0.0.0"
    return f"http://{f'[{shown}]' if ':' in shown else shown}:{port}/"


@main.command()
@click.option("--dry-run", "mode", flag_value="dry-run", help="Print what each subscription would get now.")
@click.option("--send", "mode", flag_value="send", help="Send the digests now (for cron deployments).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, one object a subscription.")
@click.pass_obj
def digest(settings: Settings, mode: str | None, as_json: bool) -> None:
    """The daily digest of new decisions, outside the server's own schedule."""
    import asyncio

    from bot.cards import digest_card, following
    from bot.jobs.digest import pending, words_of
    from bot.jobs.subscriptions import Subscriptions

    if mode is None:
        raise click.UsageError("choose --dry-run or --send")
    with _catalog(settings) as catalog:
        subscriptions = Subscriptions.over(catalog)
        if mode == "dry-run":
            # the catalog's words for the topics (`abonner parkering`), read if one is followed
            for sub, decisions in pending(catalog, subscriptions, lambda: words_of(catalog)):
                if as_json:
                    _dump({"conversation_id": sub.conversation_id, "tenant_id": sub.tenant_id,
                           "following": [{"forum": i.forum, "topic": i.topic}
                                         for i in sub.watermarks],
                           "decisions": [{"forum": d.forum,
                                          "meeting_date": d.meeting_date.isoformat(),
                                          "punkt": d.punkt.number, "title": d.punkt.title}
                                         for d in decisions],
                           "card": digest_card(decisions, tuple(sub.watermarks))
                           if decisions else None})
                    continue
                _echo(f"{sub.conversation_id} (abonneret af {sub.subscribed_by or 'ukendt'}, "
                      f"følger {following(sub.watermarks)}): {len(decisions)} nye beslutninger")
                for d in decisions:
                    _echo(f"  {d.forum} {d.meeting_date:%d.%m.%Y}, punkt {d.punkt.number}: "
                          f"{d.punkt.title}")
            return
        results = asyncio.run(_send_digests(settings, catalog, subscriptions))
    for r in results:
        if as_json:
            _dump({"conversation_id": r.conversation_id, "status": r.status,
                   "decisions": r.decisions, "error": r.error})
        else:
            _echo(f"{r.conversation_id}: {r.status}"
                  + (f" ({r.decisions} beslutninger)" if r.decisions else "")
                  + (f": {r.error}" if r.error else ""))
    if any(r.status in ("failed", "deactivated") for r in results):
        sys.exit(1)


@main.command("feedback")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def feedback_command(settings: Settings, as_json: bool) -> None:
    """Summarise the 👍/👎 on answers: per punkt (the one each answer was taken from), per
    week, and what people wrote."""
    from bot.feedback import Feedback, summary

    with _catalog(settings) as catalog:
        result = summary(Feedback(catalog.db).votes())
        for row in result["punkter"]:
            found = look_up(catalog, dt.date.fromisoformat(row["meeting_date"]), row["punkt"])
            punkt = found.punkt if isinstance(found, Found) else None
            row["title"] = punkt.title if punkt and not punkt.closed else ""
    if as_json:
        _dump(result)
        return
    _echo(f"{result['votes']} vote(s): {result['up']} up, {result['down']} down")
    _section("per punkt (the punkt each answer was taken from):",
             [f"{r['meeting_date']} punkt {r['punkt']:<3} up {r['up']:<4} down {r['down']:<4} "
              f"{r['title']}" for r in result["punkter"]])
    _section("per week:", [f"{r['week']}  up {r['up']:<4} down {r['down']}"
                           for r in result["weeks"]])
    _section("what people wrote, newest first:",
             [f"{r['created_at'][:10]} {r['vote']:<4} {r['question']!r}: {r['comment']}"
              for r in result["comments"]])


def _section(heading: str, lines: list[str]) -> None:
    if lines:
        _echo()
        _echo(heading)
    for line in lines:
        _echo(f"  {line}")


async def _send_digests(settings: Settings, catalog, subscriptions):
    from bot.jobs.digest import DigestRunner
    from bot.teams.adapter import BotEndpoint

    try:
        endpoint = BotEndpoint(settings, bot=None)
    except SettingsError as e:
        raise click.ClickException(str(e)) from e

    async def send(subscription, card):
        await endpoint.send_card(subscription.reference, card)

    return await DigestRunner(catalog, subscriptions, send,
                              may_send=endpoint.may_send_to).run_once()


main.add_command(manifest_command)
