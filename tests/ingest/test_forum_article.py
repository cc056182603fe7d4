"""A forum's name printed in capitals hides whether it had the article; the catalog files
it in the form the forum goes by (ingest/forum_names.py `with_article`), so the agenda
headed `TEKNIK- OG MILJØUDVALG` and the referat naming `Teknik- og Miljøudvalget` are
one forum under the name people use."""
from __future__ import annotations

import pytest

from ingest.forum_names import with_article
from ingest.header import read_head


@pytest.mark.parametrize("printed, name", [
    ("Økonomiudvalg", "Økonomiudvalget"),
    ("Teknik- og Miljøudvalg", "Teknik- og Miljøudvalget"),
    ("Kommunalbestyrelse", "Kommunalbestyrelsen"),  # not read as a `styrelse`
    ("Byråd", "Byrådet"),
    ("Klagenævn", "Klagenævnet"),
    ("Beredskabskommission", "Beredskabskommissionen"),
    # a noun standing alone after an adjective: a name as it is
    ("Teknisk Udvalg", "Teknisk Udvalg"),
    ("Direktion", "Direktion"),
    # a forum, and names that have their article
    ("Chefforum", "Chefforum"),
    ("Økonomiudvalget", "Økonomiudvalget"),
    ("Handicaprådet", "Handicaprådet"),
])
def test_a_compound_body_takes_its_article(printed, name):
    assert with_article(printed) == name


def test_a_head_in_capitals_names_the_forum_with_its_article():
    head = read_head(["ÅBEN DAGSORDEN ØKONOMIUDVALG", "Mødedato: 3. juni 2025"])
    assert head.forum == "Økonomiudvalget"
    head = read_head(["REFERAT TEKNISK UDVALG", "Mødedato: 3. juni 2025"])
    assert head.forum == "Teknisk Udvalg"
