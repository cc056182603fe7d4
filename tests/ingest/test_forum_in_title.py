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
    # a title that wraps (Odense, a region's HMU), and a region's `Møde i` with the term
    (["Referat", "til", "mødet i Økonomiudvalget", "den 26. april 2017 kl. 08:30"],
     "Økonomiudvalget"),
    (["Referat", "Møde i Forretningsudvalget 2018-2021", "fredag den 14. august 2020"],
     "Forretningsudvalget"),
    (["Dagsorden til", "møde i", "Økonomiudvalget", "Mødedato 10. juni 2013"], "Økonomiudvalget"),
    # the status before the kind, or between the name and the kind
    (["Åbent referat for Byrådet", "Mødedato 28.01.2008"], "Byrådet"),
    (["Oversigt over referater for kildeby byråd 2008", "Kildeby Byråd", "Åben", "Referat",
      "Onsdag den 03-12-2008 kl. 17:00"], "Kildeby Byråd"),
    (["Referat fra Økonomiudvalget", "Økonomiudvalget 13. maj 2024"], "Økonomiudvalget"),
    # a web page's fields as a list, below a page title that is no forum
    (["Dagsordener og referater fra HMU på Socialområdet", "- Udvalg: HMU Socialområdet",
      "- Mødedato: 28. februar 2025 kl. 09:30"], "HMU Socialområdet"),
    # a body's meeting in one word: the body
    (["Referat af bestyrelsesmøde den 27. februar 2014 i Kildeby Forsyning A/S"], "Bestyrelsen"),
    (["Referat af Skolebestyrelsesmøde", "tirsdag den 2. december 2008 kl. 18.30"],
     "Skolebestyrelsen"),
    # a committee named `Udvalget for …`, in the genitive with an apostrophe
    (["Udvalget for Kultur og Planlægning's møde", "Tirsdag den 06-04-2010 Kl. 13:30"],
     "Udvalget for Kultur og Planlægning"),
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
