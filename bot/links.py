"""Links to the original referat, from REFERATBOT_SOURCE_URL: a URL template with the
meeting's date and the punkt's number, for the municipality's own minutes system or
intranet. Unset, nothing links anywhere.

    >>> SourceLinks("https://intranet.albertslund.dk/cf/{date}#punkt-{punkt}").url(
    ...     dt.date(2024, 4, 24), 7)
    'https://intranet.albertslund.dk/cf/2024-04-24#punkt-7'

`{date}` is the meeting date as 2024-04-24 and takes a strftime format
(`{date:%d-%m-%Y}` is 24-04-2024); `{punkt}` is the number and takes an int format
(`{punkt:02d}` is 07). The template is checked once, at start-up, so a typo is named
there and not found by the first person who clicks a link.
"""
from __future__ import annotations

import datetime as dt
import string
from urllib.parse import urlsplit

PLACEHOLDERS = ("date", "punkt")
#: What a template is tried with at start-up.
_SAMPLE = {"date": dt.date(2024, 4, 24), "punkt": 7}


def template_problem(template: str) -> str | None:
    """Why `template` cannot make links, as the end of a sentence, or None."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as e:  # a lone { or }
        return f"its braces do not pair up ({e})"
    unknown = sorted({f for f in fields if f not in PLACEHOLDERS})
    if unknown:
        return (f"it names {', '.join('{' + f + '}' for f in unknown)}; the placeholders "
                f"are {{date}} and {{punkt}}")
    try:
        url = template.format(**_SAMPLE)
    except (ValueError, TypeError) as e:  # a format spec the value does not take
        return f"a placeholder's format does not work ({e})"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "it is not an http:// or https:// URL"
    if any(c.isspace() for c in url):
        return "it holds a space"
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
