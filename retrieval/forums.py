"""Which forums a question names, and the question without those words (so the search
does not look for them). Pure: given the catalog's forum names and the deployment's
aliases (REFERATBOT_FORUM_ALIASES), nothing else.

A forum is named
- by its name as Danish inflects it (`byrådet`, `kommunalbestyrelsens`, `teknik- og
  miljøudvalget`; ingest/forum_names.py), or by one part of a name joined with `og` and
  the head (`miljøudvalget` for Teknik- og Miljøudvalget) where no forum is called that;
- by the initials of its name's parts, in capitals as minutes print them: a compound is
  split before the noun that names the body (udvalg, bestyrelse, råd, forum …), so
  Økonomiudvalget is ØU, Teknik- og Miljøudvalget TMU, Kommunalbestyrelsen KB, Chefforum CF
  (in capitals only, and never inside a word: `cf.`, `TUBA` name nothing);
- by an alias the deployment sets (`byrådet=Kommunalbestyrelsen`);
- in English, by a phrase of the words in FORUM_WORDS ending in a body's noun: "the city
  council", "the finance committee", "the council" (every forum of that kind; a body's
  noun alone only after "the", since `forum` is Danish too).
A form that fits several forums names each of them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from ingest.forum_names import BODIES, inflections, name_words, same_forum, stems

#: Names of one body: Danish law calls the municipal council kommunalbestyrelsen, many
#: municipalities call theirs byrådet, and people use either whichever their minutes print.
SAME_BODY = (("byråd", "kommunalbestyrelse"),)
#: Words before a forum that make it the one addressed, not the one asked about.
RECIPIENT = re.compile(r"(?<![\w-])(?:til|over for|to)\s+(?:the\s+)?$", re.IGNORECASE)
#: Words that join a name's parts (`Teknik- og Miljøudvalget`, `Udvalget for Teknik og Miljø`).
LINKS = frozenset({"og", "for", "i", "af", "til", "med", "om"})
#: English words of forum names -> the Danish parts they stand for (a part starts with one).
FORUM_WORDS = {
    "city": ("by", "kommunal"), "municipal": ("kommunal",), "town": ("by",),
    "finance": ("økonomi",), "financial": ("økonomi",), "economic": ("økonomi",),
    "economy": ("økonomi",), "technical": ("teknik",), "technology": ("teknik",),
    "environment": ("miljø",), "environmental": ("miljø",), "climate": ("klima",),
    "children": ("børn",), "child": ("børn",), "youth": ("unge",), "school": ("skole",),
    "education": ("skole", "uddannelse"), "social": ("social",), "health": ("sundhed",),
    "culture": ("kultur",), "cultural": ("kultur",), "leisure": ("fritid",),
    "employment": ("beskæftigelse",), "business": ("erhverv",), "planning": ("plan",),
    "elderly": ("ældre",), "senior": ("ældre",), "disability": ("handicap",),
    "traffic": ("trafik",), "chief": ("chef",), "chiefs": ("chef",), "executive": ("chef",),
    "management": ("chef", "direktion"), "leadership": ("chef", "ledelse"),
}
#: English nouns of bodies -> the Danish bodies they stand for.
BODY_WORDS = {
    "committee": ("udvalg", "komité", "komite"), "council": ("råd", "bestyrelse"),
    "board": ("bestyrelse", "nævn"), "forum": ("forum",), "commission": ("kommission",),
    "group": ("gruppe",),
}
_ENGLISH = re.compile(
    r"(?<![\w-])(?P<the>the\s+)?(?P<words>(?:(?:{mods})(?:\s*,\s*|\s+and\s+|\s+))*)"
    r"(?P<body>{bodies})(?:s|'s)?(?![\w-])".format(
        mods="|".join(sorted(FORUM_WORDS, key=len, reverse=True)),
        bodies="|".join(sorted(BODY_WORDS, key=len, reverse=True))),
    re.IGNORECASE)


class NotOneForum(ValueError):
    """`text` names several forums (`found`), or none of the catalog's `forums`; the
    message says which, in English (a command in Danish says it from the fields)."""

    def __init__(self, text: str, found: tuple[str, ...], forums: tuple[str, ...]):
        self.text, self.found, self.forums = text, found, forums
        super().__init__(f"'{text}' names several forums: {', '.join(found)}" if found
                         else f"'{text}' names no forum; the forums are: "
                              f"{', '.join(forums) or 'none yet'}")


@dataclass(frozen=True)
class Named:
    #: the forums named, as the catalog spells them, in the order the question names them
    forums: tuple[str, ...]
    #: the question without the words that named them
    rest: str


def parse_aliases(text: str) -> tuple[tuple[str, str], ...]:
    """`byrådet=Kommunalbestyrelsen;BY=Kommunalbestyrelsen` -> (alias, forum) pairs;
    ValueError naming the entry that is not `alias=forum`."""
    pairs: dict[str, str] = {}
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        alias, sep, forum = (x.strip() for x in entry.partition("="))
        if not sep or not alias or not forum:
            raise ValueError(f"'{entry}' is not alias=forum")
        if pairs.get(alias, forum) != forum:
            raise ValueError(f"'{alias}' is an alias of both {pairs[alias]} and {forum}")
        pairs[alias] = forum
    return tuple(pairs.items())


def parts(name: str) -> list[str]:
    """The parts of a forum's name, case-folded, link words left out, each compound split
    before its body: `Teknik- og Miljøudvalget` -> teknik, miljø, udvalget."""
    out = []
    for word in name_words(name):
        word = word.rstrip("-")
        if word in LINKS:
            continue
        head = next(((stem[:-len(body)], word[len(stem) - len(body):])
                     for stem in sorted(stems(word), key=len) for body in BODIES
                     if stem.endswith(body) and len(stem) > len(body)), None)
        out.extend(head or [word])
    return out


def _is_body(part: str, bodies: Iterable[str] = BODIES) -> bool:
    return any(part.startswith(body) for body in bodies)


def abbreviation(name: str) -> str:
    """The initials of the name's parts in capitals (`ØU`, `TMU`, `KB`, `CF`); "" for a
    name of one part, whose one letter would name nothing surely."""
    found = parts(name)
    return "".join(p[0] for p in found).upper() if len(found) > 1 else ""


def _phrase(name: str) -> str:
    """A pattern of the name's words as written, its last word in any inflection and
    a compound's hyphen optional: `teknik-?\\s+og\\s+(?:miljøudvalget|…)`."""
    words = name_words(name)
    body = [re.escape(w.rstrip("-")) + ("-?" if w.endswith("-") else "") for w in words[:-1]]
    last = "|".join(re.escape(f) for f in sorted(inflections(words[-1]), key=len, reverse=True))
    return r"\s+".join([*body, f"(?:{last})"])


class ForumNames:
    """The ways a question may name each forum of a catalog (see the module's docstring)."""

    def __init__(self, forums: Iterable[str], aliases: Iterable[tuple[str, str]] = ()):
        self.forums = tuple(dict.fromkeys(forums))
        phrases: dict[str, set[str]] = {}
        shorter: dict[str, set[str]] = {}
        abbreviations: dict[str, set[str]] = {}
        for forum in self.forums:
            phrases.setdefault(_phrase(forum), set()).add(forum)
            for short in self._shorter(forum):
                shorter.setdefault(_phrase(short), set()).add(forum)
            if abbreviation(forum):
                abbreviations.setdefault(abbreviation(forum), set()).add(forum)
        for alias, target in [*self._other_names(), *aliases]:
            named = {f for f in self.forums if same_forum(f, target)}
            if not named:
                continue  # a forum with no meetings yet
            if alias.isupper() and " " not in alias:
                abbreviations[alias] = named
            else:
                phrases[_phrase(alias)] = named
        # a forum's own name wins over another's shortened one
        phrases = {**{p: f for p, f in shorter.items() if p not in phrases}, **phrases}
        self._patterns = [(re.compile(rf"(?<![\w-])(?:{p})(?![\w-])", re.IGNORECASE), forums)
                          for p, forums in phrases.items()]
        # `KB-mødet`: the hyphen goes with the abbreviation
        self._patterns += [(re.compile(rf"(?<![\w-]){re.escape(a)}(?:'?s)?(?:-(?=\w)|(?!\w))"),
                            forums)
                           for a, forums in abbreviations.items()]

    def _other_names(self) -> list[tuple[str, str]]:
        """(name, forum) for each forum a body of SAME_BODY names under another of its names,
        when no forum of the catalog has that name itself."""
        out = []
        for forum in self.forums:
            words = name_words(forum)
            for names in SAME_BODY:
                held = [n for n in names if len(words) == 1 and n in stems(words[0])]
                out += [(other, forum) for other in names if held and other not in held
                        and not any(same_forum(f, other) for f in self.forums)]
        return out

    @staticmethod
    def _shorter(forum: str) -> list[str]:
        """Each part of a name joined with `og` before its body, alone with the body:
        `Teknik- og Miljøudvalget` -> Teknikudvalget, Miljøudvalget."""
        found = parts(forum)
        if "og" not in name_words(forum) or not _is_body(found[-1]):
            return []
        return [part + found[-1] for part in found[:-1]]

    def named(self, question: str) -> Named:
        """The forums the question names and the question without their words. Where two
        forms overlap (`teknik- og miljøudvalget`, `miljøudvalget`) the longer is taken."""
        spans = [(m.start(), m.end(), forums) for pattern, forums in self._patterns
                 for m in pattern.finditer(question)]
        spans += self._english(question)
        taken: list[tuple[int, int, set[str]]] = []
        for start, end, forums in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
            if all(end <= s or start >= e for s, e, _ in taken):
                taken.append((start, end, forums))
        taken.sort()
        # `anbefalede TMU til byrådet`: the council is told, TMU is asked about
        asked = [t for t in taken if not RECIPIENT.search(question[:t[0]])] or taken
        order = [f for _, _, forums in asked for f in sorted(forums, key=self.forums.index)]
        rest = question
        for start, end, _ in reversed(taken):
            rest = rest[:start] + " " + rest[end:]
        return Named(tuple(dict.fromkeys(order)), " ".join(rest.split()))

    def matching(self, text: str) -> tuple[str, ...]:
        """The forums `text` names in any form: a forum's own name, or an abbreviation in
        any case too, as a command's argument may write it (`møde tmu 24-04-2024`)."""
        if text in self.forums:
            return (text,)
        named = self.named(text).forums
        if not named and len(text.split()) == 1:
            named = self.named(text.upper()).forums
        return named

    def only(self, text: str) -> str:
        """The one forum `text` names in any form (`matching`); NotOneForum otherwise."""
        named = self.matching(text)
        if len(named) == 1:
            return named[0]
        raise NotOneForum(text, named, self.forums)

    def _english(self, question: str) -> list[tuple[int, int, set[str]]]:
        """English phrases ending in a body's noun, each with the forums of that body
        whose parts its other words name ("the finance committee": Økonomiudvalget)."""
        out = []
        for m in _ENGLISH.finditer(question):
            bodies = BODY_WORDS[m.group("body").lower()]
            words = [w for w in re.findall(r"\w+", m.group("words").lower()) if w != "and"]
            if not words and not m.group("the"):
                continue  # a bare `forum` is a Danish word too ("i hvilket forum …")
            forums = set()
            for forum in self.forums:
                found = parts(forum)
                if any(_is_body(p, bodies) for p in found) and all(
                        any(p.startswith(d) for p in found for d in FORUM_WORDS[w]) for w in words):
                    forums.add(forum)
            if forums:
                out.append((m.start(), m.end(), forums))
        return out
