"""Links to the original referat, from REFERATBOT_SOURCE_URL: a URL template with the
meeting's date and the punkt's number, for the municipality's own minutes system or
intranet. Unset, nothing links anywhere.

    >>> SourceLinks("https://intranet.albertslund.dk/cf/{date}#punkt-{punkt}").url(
    ...     dt.date(2024, 4, 24), 7)
    'https://intranet.albertslund.dk/cf/2024-04-24#punkt-7'

`{date}` is the meeting date as 2024-04-24 and takes a strftime format
(`{date:%d-%m-%Y}` is 24-04-2024); `{punkt}` is the number and takes an int format
(`{punkt:02d}` is 07). The template is checked once, at start-up, so a typo is named
there and not found by the first person who clicks a link. A format pads to at most
MAX_WIDTH characters, and is checked before the template is tried: `{punkt:099999999d}`
made every link 100 MB, and `{punkt:0999999999d}` cost gigabytes at every start.
"""
from __future__ import annotations

import datetime as dt
import re
import string
from urllib.parse import urlsplit

PLACEHOLDERS = ("date", "punkt")
#: What a template is tried with at start-up.
_SAMPLE = {"date": dt.date(2024, 4, 24), "punkt": 7}
#: The widest a placeholder's format may pad its value (a width or precision).
MAX_WIDTH = 20
#: Longer links break in browsers and proxies.
MAX_URL_CHARS = 2000
_NUMBER = re.compile(r"\d+")


def template_problem(template: str) -> str | None:
    """Why `template` cannot make links, as the end of a sentence, or None."""
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion
                  in string.Formatter().parse(template) if name is not None]
    except ValueError as e:  # a lone { or }
        return f"its braces do not pair up ({e})"
    unknown = sorted({name for name, _, _ in fields if name not in PLACEHOLDERS})
    if unknown:
        return (f"it names {', '.join('{' + f + '}' for f in unknown)}; the placeholders "
                f"are {{date}} and {{punkt}}")
    for field in fields:
        if problem := _placeholder_problem(*field):
            return problem
    try:
        url = template.format(**_SAMPLE)
    except (ValueError, TypeError) as e:  # a format spec the value does not take
        return f"a placeholder's format does not work ({e})"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "it is not an http:// or https:// URL"
    if any(c.isspace() for c in url):
        return "it holds a space"
    if len(url) > MAX_URL_CHARS:
        return f"its links are longer than {MAX_URL_CHARS} characters"
    return None


def _placeholder_problem(name: str, spec: str, conversion: str | None) -> str | None:
    """Why one placeholder cannot be tried, or None: a conversion, a placeholder in its
    format, or a format padding wider than MAX_WIDTH."""
    if conversion:
        return (f"{{{name}!{conversion}}} converts the value; a placeholder takes a format "
                f"after ':' only, such as {{date:%d-%m-%Y}}")
    if "{" in spec:
        return f"the format of {{{name}}} holds another placeholder"
    numbers = [d.lstrip("0") or "0" for d in _NUMBER.findall(spec)]
    # by length first: int() refuses a number of over 4,300 digits
    wide = [n for n in numbers if len(n) > len(str(MAX_WIDTH)) or int(n) > MAX_WIDTH]
    if wide:
        shown = wide[0] if len(wide[0]) <= 12 else wide[0][:12] + "…"
        return f"{{{name}}} is padded to {shown} characters; at most {MAX_WIDTH}"
    return None


class SourceLinks:
    """The link to each punkt's original referat."""

    def __init__(self, template: str):
        problem = template_problem(template)
        if problem:
            raise ValueError(f"the source URL template '{template}' cannot work: {problem}")
        self.template = template

    def url(self, day: dt.date, punkt: int) -> str:
        return self.template.format(date=day, punkt=punkt)
