"""Text from outside made safe to print in a log or a terminal: file names, what Teams
users wrote, the minutes. Its control characters are written as their escapes (`\\n`,
`\\x1b`, `\\u202e`), so it can neither forge a line of its own nor send a terminal escape
codes (clear the screen, rewrite a line, reorder text).

`EscapingFormatter` is the logging side, installed once where logging is configured
(`referatbot`'s entry point); `one_line` is for the command's own output, line by line.
"""
from __future__ import annotations

import logging
import re

#: C0 and C1 controls and DEL, the line and paragraph separators, and the bidirectional
#: embeddings, overrides and isolates.
_CONTROLS = "\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[{_CONTROLS}]")
_UNSAFE_BUT_NEWLINES = re.compile(f"(?!\n)[{_CONTROLS}]")


def _escape(match: re.Match) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def one_line(text: str) -> str:
    """`text` on one line: every control character, newlines too, as its escape."""
    return _UNSAFE.sub(_escape, text)


class EscapingFormatter(logging.Formatter):
    """A record is its message on one line, control characters escaped, and then any
    traceback indented under it: nothing logged can pass for a record of its own."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return one_line(super().formatMessage(record))

    def formatException(self, ei) -> str:
        return _indented(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return _indented(super().formatStack(stack_info))


def _indented(text: str) -> str:
    return "\n".join("  " + _UNSAFE_BUT_NEWLINES.sub(_escape, line)
                     for line in text.split("\n"))
