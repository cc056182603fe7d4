"""Forum names in questions (retrieval/forums.py): Danish as it inflects a name, the
initials minutes abbreviate it to, a deployment's aliases and English; the question comes
back without those words. Nothing is listed per forum: the names below are the catalog's,
and a name nobody wrote a rule for is recognised like the rest."""
from __future__ import annotations

import pytest

from retrieval.forums import ForumNames, Named, abbreviation, parse_aliases

CF, TMU, KB, OU, BUU = ("Chefforum", "Teknik- og Miljøudvalget", "Kommunalbestyrelsen",
                        "Økonomiudvalget", "Børne- og Ungeudvalget")
ALIASES = "byrådet=Kommunalbestyrelsen;BY=Kommunalbestyrelsen"


@pytest.fixture(scope="module")
def names() -> ForumNames:
    return ForumNames([CF, TMU, KB, OU, BUU], parse_aliases(ALIASES))


@pytest.mark.parametrize("question, forums, rest", [
    # the name as Danish inflects it: definite, genitive, a compound's hyphen or none
    ("hvad besluttede kommunalbestyrelsen om parkering?", (KB,), "hvad besluttede om parkering?"),
    ("Kommunalbestyrelsens beslutning om p-pladser", (KB,), "beslutning om p-pladser"),
    ("hvad mente økonomiudvalget om budgettet", (OU,), "hvad mente om budgettet"),
    ("økonomiudvalgets indstilling om anlæg", (OU,), "indstilling om anlæg"),
    ("hvad besluttede Teknik- og Miljøudvalget om vintertjenesten",
     (TMU,), "hvad besluttede om vintertjenesten"),
    ("teknik og miljøudvalgets beslutning", (TMU,), "beslutning"),
    ("Chefforums drøftelse af sygefravær", (CF,), "drøftelse af sygefravær"),
    # one part of a name joined with `og`, with the body, alone
    ("hvad har miljøudvalget sagt om affald", (TMU,), "hvad har sagt om affald"),
    ("ungeudvalget om klubtilbud", (BUU,), "om klubtilbud"),
    # initials of the name's parts, as minutes print them
    ("hvad besluttede CF om telefontider?", (CF,), "hvad besluttede om telefontider?"),
    ("hvad sagde ØU om anlægsloftet", (OU,), "hvad sagde om anlægsloftet"),
    ("TMU's beslutning om p-pladser", (TMU,), "beslutning om p-pladser"),
    ("KB-mødet i maj", (KB,), "mødet i maj"),
    ("BUU om skoledistrikter", (BUU,), "om skoledistrikter"),
    # the deployment's aliases: any case and inflection, or as written in capitals
    ("hvad besluttede byrådet om parkering?", (KB,), "hvad besluttede om parkering?"),
    ("Byrådets beslutning om licenszonen", (KB,), "beslutning om licenszonen"),
    ("hvad besluttede BY i maj", (KB,), "hvad besluttede i maj"),
    # English, by the parts of the name
    ("what did the city council decide about parking?", (KB,), "what did decide about parking?"),
    ("What did the council decide?", (KB,), "What did decide?"),
    ("the finance committee's view on the budget", (OU,), "view on the budget"),
    ("what did the economic committee recommend", (OU,), "what did recommend"),
    ("what did the technical committee decide on winter service", (TMU,),
     "what did decide on winter service"),
    ("the children and youth committee on schools", (BUU,), "on schools"),
    ("what did the chiefs forum say about phone hours", (CF,), "what did say about phone hours"),
])
def test_a_question_names_one_forum(names, question, forums, rest):
    named = names.named(question)
    assert (named.forums, named.rest) == (forums, rest)


@pytest.mark.parametrize("question, forums", [
    ("hvad besluttede TMU og kommunalbestyrelsen om parkeringsstrategien?", (TMU, KB)),
    ("byrådet og økonomiudvalget om anlæg", (KB, OU)),
    ("did the finance committee and the city council agree?", (OU, KB)),
    ("CF, ØU og KB om sygefravær", (CF, OU, KB)),
])
def test_a_question_names_several_forums_in_its_order(names, question, forums):
    assert names.named(question).forums == forums


@pytest.mark.parametrize("question", [
    "hvad besluttede man om telefontider?",
    "what was decided about parking in 2024?",
    "hvilke udvalg har behandlet sagen om skolerne?",
    # words that hold an abbreviation, or are one in lower case
    "spiller TUBA i orkestret på CFO-mødet?",
    "ØUK og KBH: tmu, cf og øu med små bogstaver",
    "bestyrelsen for by- og boligforeningen",
    # a body's English noun alone, in Danish
    "i hvilket forum blev sagen om council-boliger besluttet?",
])
def test_a_question_naming_no_forum_is_left_as_it_is(names, question):
    assert names.named(question) == Named((), question)


def test_a_word_that_only_looks_like_an_abbreviation_is_no_forum():
    names = ForumNames(["Teknisk Udvalg", CF])
    assert abbreviation("Teknisk Udvalg") == "TU"
    assert names.named("hvem spiller TUBA ved TU-mødet?").forums == ("Teknisk Udvalg",)
    assert names.named("hvem spiller TUBA ved mødet?").forums == ()
    assert names.named("TUs beslutning").forums == ("Teknisk Udvalg",)


def test_abbreviations_are_derived_from_the_names():
    assert [abbreviation(n) for n in (CF, TMU, KB, OU, BUU)] == ["CF", "TMU", "KB", "ØU", "BUU"]
    # names nobody listed: a linking -s-, a name of words, a name of one part
    assert abbreviation("Beskæftigelsesudvalget") == "BU"
    assert abbreviation("Klima- og Erhvervsudvalget") == "KEU"
    assert abbreviation("Udvalget for Teknik og Miljø") == "UTM"
    assert abbreviation("Direktionen") == ""
    assert ForumNames(["Klima- og Erhvervsudvalget"]).named("KEU om havnen").forums == (
        "Klima- og Erhvervsudvalget",)


def test_cf_stays_chefforum_beside_every_other_forum(names):
    assert names.named("CF").forums == (CF,)
    assert ForumNames([CF]).named("hvad besluttede CF?").forums == (CF,)


def test_an_ambiguous_form_names_each_forum_it_fits_and_a_forums_own_name_wins():
    two = ForumNames([TMU, "Klima- og Miljøudvalget"])
    assert set(two.named("miljøudvalget om affald").forums) == {TMU, "Klima- og Miljøudvalget"}
    three = ForumNames([TMU, "Miljøudvalget"])
    assert three.named("miljøudvalget om affald").forums == ("Miljøudvalget",)


def test_an_alias_names_the_catalogs_forum_in_whatever_form_it_gives_it():
    names = ForumNames(["Økonomiudvalg"], parse_aliases("finansudvalget=Økonomiudvalget"))
    assert names.named("finansudvalgets indstilling").forums == ("Økonomiudvalg",)
    # an alias of a forum with no meetings yet names nothing
    assert ForumNames([CF], parse_aliases(ALIASES)).named("byrådet").forums == ()


@pytest.mark.parametrize("text, error", [
    ("byrådet", "'byrådet' is not alias=forum"),
    ("byrådet=Kommunalbestyrelsen;=Chefforum", "'=Chefforum' is not alias=forum"),
    ("BY=", "'BY=' is not alias=forum"),
    ("BY=Byrådet;BY=Chefforum", "'BY' is an alias of both Byrådet and Chefforum"),
])
def test_a_bad_alias_entry_is_named(text, error):
    with pytest.raises(ValueError) as e:
        parse_aliases(text)
    assert str(e.value) == error


def test_aliases_parse_with_spaces_and_empty_entries():
    assert parse_aliases(" byrådet = Kommunalbestyrelsen ;; BY=Kommunalbestyrelsen; ") == (
        ("byrådet", "Kommunalbestyrelsen"), ("BY", "Kommunalbestyrelsen"))


def test_the_council_goes_by_either_of_its_names():
    """Kommunalbestyrelsen is what the law calls the council, byrådet what many towns do:
    either names it, without a deployment's alias; a catalog holding both keeps them apart."""
    names = ForumNames(["Kommunalbestyrelsen", CF])
    for question in ("hvad besluttede byrådet om parkering?", "byrådets beslutning",
                     "BYRÅDET", "kommunalbestyrelsens møde"):
        assert names.named(question).forums == ("Kommunalbestyrelsen",), question
    assert ForumNames(["Byrådet"]).named("hvad besluttede kommunalbestyrelsen?").forums == (
        "Byrådet",)
    both = ForumNames(["Byrådet", "Kommunalbestyrelsen"])
    assert both.named("hvad besluttede byrådet?").forums == ("Byrådet",)
    assert both.named("kommunalbestyrelsen").forums == ("Kommunalbestyrelsen",)
    assert ForumNames([CF]).named("hvad besluttede byrådet?").forums == ()


def test_a_forum_addressed_is_not_the_one_asked_about():
    """`til`, `over for`, `to` before a forum make it the one told: the question is about
    the other forum it names; named alone, the addressed forum is still the one."""
    names = ForumNames(["Kommunalbestyrelsen", "Teknik- og Miljøudvalget", CF])
    for question in ("hvad anbefalede TMU til byrådet om parkering?",
                     "hvad indstillede teknik- og miljøudvalget over for kommunalbestyrelsen?",
                     "What did the technical and environmental committee recommend to the "
                     "council?"):
        assert names.named(question).forums == ("Teknik- og Miljøudvalget",), question
    assert names.named("hvad blev sendt videre til byrådet?").forums == ("Kommunalbestyrelsen",)
    assert names.named("hvad besluttede TMU og KB?").forums == (
        "Teknik- og Miljøudvalget", "Kommunalbestyrelsen")
