"""A web page of minutes (HTML) -> the referat's text, read from the page's structure.

Minutes systems publish a meeting as one page: a head with its fields (`Udvalg`,
`Mødedato`, `Mødested`), then a block per punkt. FirstAgenda, for one, prints each punkt
as a table row whose first cell is its number and whose heading element is its title,
with the case number, the sections under `h3` headings and the bilag as links; other
systems use heading elements that carry the number (`<h2>5. Title</h2>`). This reader
turns that structure into the text `parse.py` reads: a punkt heading `# Punkt N: Title`,
its sections as `## Heading` (so that a section heading unknown to the parser is still
its own section), paragraphs and list items one a line, table cells tab-separated.

lxml parses the page: it is already installed (python-docx reads Word files with it),
its HTML parser repairs broken markup as browsers do, and it is fast on pages of several
MB. The walk is iterative, so deeply nested markup cannot exhaust the stack.

Page chrome is left out: scripts, navigation, forms and buttons that carry no heading,
menus, dialogs, hidden elements, and links styled as buttons ("Tilbage til forsiden",
"Hent som PDF", "Kopier link").
"""
from __future__ import annotations

import re
from itertools import takewhile

from lxml import etree
from lxml import html as lxml_html

from ingest.closed import (closes_following, is_closed_field, is_closed_status, mentions_closed,
                           opens_following)
from ingest.header import FIELD_LABEL
from ingest.layout import item_heading, section_name

#: Elements that are never minutes.
CHROME_TAGS = frozenset({"script", "style", "noscript", "template", "nav", "footer", "aside",
                         "head", "form", "input", "select", "textarea", "iframe", "svg",
                         "object", "embed", "dialog", "menu"})
CHROME_ROLES = frozenset({"menu", "menubar", "dialog", "alertdialog", "navigation", "button",
                          "toolbar", "banner", "contentinfo", "search"})
#: Class words of menus, pop-ups, buttons and count badges in the minutes systems' pages.
CHROME_CLASSES = re.compile(r"\b(?:dropdown-menu|modal|btn|navbar|breadcrumb|cookie\w*|"
                            r"sr-only|visually-hidden|spinner\w*|badge)\b")
BLOCKS = frozenset({"p", "div", "br", "li", "tr", "table", "section", "article", "header",
                    "main", "ul", "ol", "dl", "dt", "dd", "pre", "blockquote", "title",
                    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "figure", "caption"})
HEADINGS = {f"h{n}": n for n in range(1, 7)}
CELLS = frozenset({"td", "th"})
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_NUMBER = re.compile(r"^\s*(\d{1,4})\s*\.?\s*$")
_CONTROL_LINK = re.compile(r"^(?:#$|javascript:)", re.IGNORECASE)  # not an anchor `#p2`
_LABEL_CLASS = re.compile(r"(?<![\w-])(?:field-)?label(?![\w-])")


def page_to_text(markup: str) -> str:
    """The minutes on a web page as referat text (see the module's docstring)."""
    markup = _XML_DECLARATION.sub("", markup)  # lxml refuses a str that declares bytes
    if not markup.strip():
        return ""
    try:
        root = lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return ""
    for br in root.iter("br"):
        # a line break ends a word wherever the words are read whole (`<h1>Referat<br>
        # Kultur- og Demokratiudvalget</h1>`, a heading's or a title's text_content())
        br.tail = "\n" + (br.tail or "")
    writer = _Writer()
    walker = etree.iterwalk(root, events=("start", "end"))
    consumed: set[etree._Element] = set()
    titled: set[etree._Element] = set()  # a list item's words before its first block
    for event, element in walker:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "end":
            if element in titled:
                continue  # its words, and the text after it, were a punkt's title
            if tag in BLOCKS:
                writer.newline()
            elif _is_label(element, tag):
                writer.label_end()
            writer.text(element.tail)
            continue
        if not tag or element in consumed or _is_chrome(element, tag):
            if tag and tag not in CHROME_TAGS and (mark := _closed_words(element)):
                # a badge, an icon's screen-reader text, a button's title that says closed
                writer.newline()
                writer.text(mark)
                writer.newline()
            walker.skip_subtree()
            continue
        if tag == "tr":
            consumed |= _punkt_row(element, writer)
        if tag == "li" and (not writer.structured or writer.by_list) and (
                item := _punkt_item(element)):
            number, title, parts, own_text = item
            writer.punkt(number, title, by_list=True)
            consumed |= parts
            if own_text:
                titled.update(parts)
            else:
                writer.text(element.text)
            continue
        if tag in HEADINGS or _is_button(element, tag) and _punkt_button(element):
            # a heading, or an accordion's button that names a punkt (`1. Title`)
            writer.heading(_heading_text(element))
            walker.skip_subtree()
            continue
        if tag == "img" and (icon := _closed_icon(element)):
            writer.newline()
            writer.text(icon)
            writer.newline()
        if tag in BLOCKS:
            writer.newline()
            if tag == "li":
                # a list item, never a heading ("Indstilling" as a bilag); an ordered
                # list's number as the browser shows it, where no punkt has begun (an
                # agenda written as a list)
                number = _list_number(element)
                if number and not writer.structured:
                    writer.list_number(number)
                else:
                    writer.text("- ")
        elif tag in CELLS and element.getprevious() is not None:
            writer.cell()
        writer.text(element.text)
    return writer.result()


def _is_chrome(element, tag: str) -> bool:
    if tag in CHROME_TAGS:
        return True
    attrs = element.attrib
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    if _is_button(element, tag):
        return not (_holds_heading(element) or _punkt_button(element))
    if attrs.get("role", "").lower() in CHROME_ROLES and not _holds_heading(element):
        return True
    return bool(CHROME_CLASSES.search(attrs.get("class", "")))


def _heading_text(element) -> str:
    """A heading's words, with the words of a closed icon in it (`(Lukket punkt)`) and of
    its own `title` or `aria-label` that says closed, less a control's (`<a href="#">fold
    dette punkt ind</a> Resume`)."""
    marks = [f"({mark})" for mark in map(_closed_icon, element.iter("img")) if mark]
    marks += [f"({words})" for words in (element.get("title"), element.get("aria-label"))
              if words and mentions_closed(words)]
    return " ".join([*_words(element).split(), *marks])


def _closed_words(element) -> str:
    """The closed status an element left out as page chrome is (a badge `Lukket`, an
    icon's screen-reader text `Lukket punkt`), in its words or in a `title`, `aria-label`
    or `alt` of it or inside it, else "". Only a status alone: a menu labelled `Menu til
    punktet Lukket punkt: …` names a punkt, and closes nothing."""
    texts = [element.text_content(), *(e.get(a) or "" for e in element.iter()
                                       if isinstance(e.tag, str)
                                       for a in ("title", "aria-label", "alt"))]
    return next((" ".join(t.split()) for t in texts if is_closed_status(t)), "")


def _words(element) -> str:
    """The element's text without that of links that only work the page (`href="#"`,
    `javascript:`), unless such a link says the punkt is closed."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            words = _words(child)
            control = child.tag == "a" and _CONTROL_LINK.match(child.get("href", ""))
            parts.append("" if control and not mentions_closed(words) else words)
        parts.append(child.tail or "")
    return "".join(parts)


def _closed_icon(img) -> str:
    """The words of an icon that marks a punkt closed (`<img alt="Lukket punkt">`, a lock
    with its `title`), else ""."""
    for words in (img.get("alt") or "", img.get("title") or ""):
        if mentions_closed(words) and len(words.split()) <= 4:
            return " ".join(words.split())
    return ""


def _is_label(element, tag: str) -> bool:
    """A field's label printed against its value (`<span class="label">Mødested</span>
    Rådssalen`), which the page's style sets apart; not a badge (Bootstrap's `label`
    class on a link's `PDF`)."""
    return ((tag == "label" or bool(_LABEL_CLASS.search(element.attrib.get("class", ""))))
            and bool(FIELD_LABEL.match(element.text_content().strip())))


def _is_button(element, tag: str) -> bool:
    return tag == "button" or element.attrib.get("role", "").lower() == "button"


def _names_item(element) -> bool:
    """The element's words are a punkt's number and title (`1. Godkendelse af dagsorden`)."""
    item = item_heading(" ".join(element.text_content().split()))
    return item is not None and bool(item.title)


def _section_heading(element) -> bool:
    return section_name(element.text_content().strip()) is not None


def _punkt_button(button) -> bool:
    """An accordion's button that names a punkt and opens its text: the element after it
    holds section headings, or the nearest block around it that holds them holds no other
    such button (a row of buttons naming every punkt is a contents list, not the
    punkter)."""
    if not _names_item(button):
        return False
    if mentions_closed(_heading_text(button)):
        return True  # never dropped as chrome: its panel must not join the punkt before
    if _opens_panel(button) or any(_opens_panel(other) for other in _buttons_beside(button)):
        # it opens the panel beside it, or its accordion's other buttons do (a closed
        # punkt's panel may hold no section heading)
        return True
    around = button.getparent()
    for _ in range(2):
        if around is None:
            return False
        if any(_section_heading(h) for h in around.iter(*HEADINGS)):
            return sum(_names_item(e) for e in around.iter()
                       if isinstance(e.tag, str) and _is_button(e, e.tag)) == 1
        around = around.getparent()
    return False


def _list_number(li) -> int | None:
    """The number a browser shows before an item of an ordered list, else None."""
    parent = li.getparent()
    if parent is None or parent.tag != "ol":
        return None
    start = parent.get("start", "1").strip()
    items = [e for e in parent if e.tag == "li"]
    return (int(start) if start.isdigit() else 1) + items.index(li)


def _punkt_item(li):
    """A list item that holds a punkt's section headings (`Indstilling`, `Beslutning`) is a
    punkt (Herning's `<ol>` of cases, Viborg's accordion list): its title is the first
    heading element before those, else the words before its first block (`1 Title`); its
    number the one the title prints, else its place in an ordered list. Returns (number,
    title, the elements that were the title, whether the item's own text was part of it),
    else None."""
    if any(a.tag == "li" for a in li.iterancestors()):
        return None  # a list in a punkt's text
    headings = [e for e in li.iter(*HEADINGS) if e.text_content().strip()]
    first_section = next((k for k, e in enumerate(headings) if _section_heading(e)), None)
    if first_section is None or sum(map(_names_item, headings)) > 1:
        return None  # no punkt's text, or a group of punkter (`Lukket dagsorden`)
    if not all(_holds_section(other) for other in li.itersiblings("li", preceding=True)) or \
            not all(_holds_section(other) for other in li.itersiblings("li")):
        return None  # a list in a punkt's text, among items that are no punkter
    own_text = not first_section  # the item's own text before its first child is the title
    if first_section:
        parts = {headings[0]}
        title = _heading_text(headings[0])
    else:
        lead = list(takewhile(_inline, li))
        parts = set(lead)
        # each element's words and the text after it, then a closed icon's words, and a
        # closed field's (`<b>Offentlig: Nej</b>` after the title's link)
        pieces = [li.text or "", *(f"{e.text_content()} {e.tail or ''}" for e in lead)]
        marks = [f"({mark})" for e in lead for img in e.iter("img") if (mark := _closed_icon(img))]
        marks += ["(Lukket)" for e in lead if is_closed_field(e.text_content().strip())]
        title = " ".join(" ".join([*pieces, *marks]).split())
    item = item_heading(title) if title else None
    number = item.number if item and item.title else _list_number(li)
    if not title or number is None or closes_following(title) or opens_following(title):
        return None
    return number, item.title if item and item.title else title, parts, own_text


def _inline(element) -> bool:
    """An element of a line's words: no block or heading in it."""
    return isinstance(element.tag, str) and not any(
        isinstance(e.tag, str) and (e.tag in BLOCKS or e.tag in HEADINGS) for e in element.iter())


def _opens_panel(button) -> bool:
    """The element after the button holds section headings: the panel it opens."""
    panel = button.getnext()
    return _names_item(button) and panel is not None and _holds_section(panel)


def _buttons_beside(button) -> list:
    """The other buttons of its accordion: those of its parent, or of its grandparent
    where each button has a header of its own (`<div><button>…</button></div>`)."""
    parent = button.getparent()
    around = parent.getparent() if parent is not None and len(parent) == 1 else parent
    if around is None:
        return []
    return [e for e in around.iter() if e is not button and isinstance(e.tag, str)
            and _is_button(e, e.tag)]


def _holds_section(element) -> bool:
    return any(_section_heading(h) for h in element.iter(*HEADINGS))


def _holds_heading(element) -> bool:
    return any(isinstance(e.tag, str) and e.tag in HEADINGS for e in element.iter())


def _punkt_row(row, writer: "_Writer") -> set:
    """A table row whose first cell is a bare number and which holds a heading element is
    a punkt: its heading is written as `# Punkt N: Title`, and the number cell and the
    heading element are not written again."""
    cells = [c for c in row if isinstance(c.tag, str) and c.tag in CELLS]
    if len(cells) < 2:
        return set()
    m = _NUMBER.match(cells[0].text_content())
    heading = next((e for c in cells[1:] for e in c.iter()
                    if isinstance(e.tag, str) and e.tag in HEADINGS
                    and e.text_content().strip()), None)
    if not m or heading is None:
        return set()
    writer.punkt(int(m.group(1)), _heading_text(heading))
    return {cells[0], heading}


class _Writer:
    """Lines of referat text, with the punkt and section headings marked."""

    def __init__(self) -> None:
        self.lines: list[str] = [""]
        self.last: int | None = None  # the number of the last punkt written
        self.by_list = False  # that punkt was a list's item
        #: a punkt's or a section's heading has been written, as a heading or as text (a
        #: page whose headings are bold paragraphs): a list from here on is a list
        self.structured = False
        self.numbered = False  # the line being written opens with a list's number

    def text(self, text: str | None) -> None:
        if text:
            self.lines[-1] += " ".join(text.split("\n"))

    def newline(self) -> None:
        line = self.lines[-1].strip()
        if line:
            self.structured = self.structured or not self.numbered and bool(
                section_name(line) or (item := item_heading(line)) and item.title)
            self.lines.append("")
        self.numbered = False

    def list_number(self, number: int) -> None:
        """An ordered list's number, as the browser shows it (the line is the list's, and
        no sign that the page has begun its punkter)."""
        self.text(f"{number}. ")
        self.numbered = True

    def label_end(self) -> None:
        """`Mødested: ` after a label, so its value does not run into it."""
        self.lines[-1] = self.lines[-1].rstrip().rstrip(":") + ": "

    def cell(self) -> None:
        self.lines[-1] += " " if self.lines[-1].rstrip().endswith(":") else "\t"

    def punkt(self, number: int, title: str, *, by_list: bool = False) -> None:
        self.newline()
        self.lines += [f"# Punkt {number}: {title}", ""]
        self.last, self.by_list, self.structured = number, by_list, True

    def heading(self, text: str) -> None:
        if not text:
            return
        item = item_heading(text)
        self.structured = self.structured or bool(item or section_name(text))
        # `<h2>5. Title</h2>` is a punkt where 5 comes next; `<h3>2. behandling</h3>` is not
        if item is not None and (item.strong or item.number == (self.last or 0) + 1):
            self.punkt(item.number, item.title)
            return
        self.newline()
        self.lines += [f"## {text}" if self.last is not None else text, ""]

    def result(self) -> str:
        lines = [" ".join(line.replace("\t", "\x00").split()).replace("\x00", "\t").strip("\t ")
                 for line in self.lines]
        # a line of dots or dashes only ("." in an empty summary) is layout, not text
        lines = [line for line in lines if not line or re.search(r"\w", line)]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
