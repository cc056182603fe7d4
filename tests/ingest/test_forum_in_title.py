"""A head that names its forum only in its title, as web pages and prints of other systems
do: the body's name on a line of its own (above its date, or below `Referat`), or beside
the kind and the date. Only a name that ends in a body's noun is taken; a line that speaks
of a body (`Medlemmer af udvalget`) or names the municipality is not a forum."""
from __future__ import annotations

import datetime as dt

import pytest

from ingest.header import read_head


@pytest.mark.parametrize("lines, forum", [
    (["Kommunalbestyrelsen", "24-09-2019", "Medlemmer"], "Kommunalbestyrelsen"),
    (["Kultur- og Idrætsudvalget - 20-08-2019"], "Kultur- og Idrætsudvalget"),
    (["Referat - Økonomiudvalget den 3. december 2018"], "Økonomiudvalget"),
    (["Referat", "Fritids-, Kultur- og Forebyggelsesudvalget", "14-08-2013 kl. 15:00"],
     "Fritids-, Kultur- og Forebyggelsesudvalget"),
    (["Kultur- og fritidsudvalget", "Mødedato: 5. marts 2009"], "Kultur- og fritidsudvalget"),
    (["Handicaprådet", "Beslutningsprotokol", "2. februar 2022"], "Handicaprådet"),
    (["åbent møde for Kultur- og fritidsudvalgets møde den 05. marts 2009 kl. 14:00"],
     "Kultur- og fritidsudvalget"),
    (["Referat af Ældrerådets ordinære møde 4. april 2023"], "Ældrerådet"),
    # `Kl` of `Klima` is no `kl.` of a time
    (["Erhvervs-, Klima- og Arbejdskraftudvalget", "Referat: 27. oktober 2025 kl. 08:00"],
     "Erhvervs-, Klima- og Arbejdskraftudvalget"),
])
def test_a_body_named_in_the_title_is_the_forum(lines, forum):
    head = read_head(lines)
    assert head.forum == forum and head.meeting_date is not None


@pytest.mark.parametrize("lines", [
    ["Referat", "Mødedato: 1. maj 2020", "Medlemmer af udvalget"],
    ["Kildeby Kommune", "Referat 1. maj 2020"],
    ["Referat", "1. maj 2020", "Mødelokale 2", "Afbud", "Økonomiudvalget"],  # past the title
    ["Referat 1. maj 2020", "Formandens møde med borgerne"],
])
def test_no_forum_is_made_of_a_line_that_does_not_name_one(lines):
    head = read_head(lines)
    assert head.forum is None and head.meeting_date == dt.date(2020, 5, 1)
