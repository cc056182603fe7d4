"""English question words -> the Danish words the minutes use.

The minutes are Danish and the bundled embedding model knows little Danish, so an English
question ("what did CF decide about sick leave?") is bridged word by word for the lexical
index. A general vocabulary of municipal administration, not a list of known questions.
"""
from __future__ import annotations

ENGLISH_STOPWORDS = frozenset("""
a an the of to in on at for by with from into onto about as and or but if then than so that
this these those it its is are was were be been being am do does did done has have had having
what who whom whose which when where why how much many any some all each every there their
they them we us our you your he she his her i me my mine should would could can will shall may
might must not no yes also just only very more most less least such same other another
according regarding concerning got get gets getting make made take took taken give gave
tell show find say said per via out up down over under again still yet ever
""".split())

#: Unambiguous English function words; two of them make a question English.
ENGLISH_MARKERS = frozenset("""
the what how which did does was were is are about should many much who when why and of to
""".split())

ENGLISH_TO_DANISH = {
    "decide": "beslutte", "decided": "besluttede", "decision": "beslutning",
    "decisions": "beslutninger", "agreed": "aftalt", "approve": "godkende",
    "approved": "godkendt", "approval": "godkendelse", "meeting": "møde", "meetings": "møder",
    "minutes": "referat", "agenda": "dagsorden", "item": "punkt", "items": "punkter varer",
    "case": "sag", "cases": "sager", "proposal": "forslag", "recommendation": "indstilling",
    "background": "anledning", "attachment": "bilag", "attachments": "bilag",
    "budget": "budget", "budgets": "budgetter", "cost": "udgift", "costs": "udgifter",
    "price": "pris", "prices": "priser", "savings": "besparelser", "saving": "besparelse",
    "cut": "reduktion", "cuts": "besparelser", "reduce": "reducere", "reduced": "reduceret",
    "reduction": "reduktion", "increase": "stigning", "increases": "stigninger",
    "money": "midler", "funds": "midler", "funding": "finansiering", "grant": "tilskud",
    "subsidy": "tilskud", "wage": "løn", "wages": "løn", "salary": "løn", "pay": "løn",
    "hour": "time", "hours": "timer", "hourly": "timen", "year": "år", "years": "år",
    "month": "måned", "months": "måneder", "week": "uge", "weeks": "uger", "day": "dag",
    "days": "dage", "deadline": "frist", "plan": "plan", "plans": "planer",
    "strategy": "strategi", "policy": "politik", "policies": "politikker",
    "project": "projekt", "projects": "projekter", "pilot": "pilotprojekt",
    "climate": "klima", "emissions": "udledning", "emission": "udledning",
    "co2": "co2", "environment": "miljø", "energy": "energi", "waste": "affald",
    "recycling": "genbrug", "reuse": "genbrug", "circular": "cirkulære",
    "procurement": "indkøb", "purchasing": "indkøb", "purchase": "indkøb",
    "marketplace": "markedsplads", "market": "marked", "furniture": "møbler",
    "sick": "syge", "sickness": "sygdom", "absence": "fravær", "leave": "fravær",
    "health": "sundhed", "safety": "sikkerhed", "security": "sikkerhed",
    "wellbeing": "trivsel", "employee": "medarbejder", "employees": "medarbejdere",
    "staff": "medarbejdere", "manager": "leder", "managers": "ledere", "leader": "leder",
    "leaders": "ledere", "leadership": "ledelse", "management": "ledelse",
    "director": "direktør", "head": "chef", "heads": "chefer", "department": "afdeling",
    "departments": "afdelinger", "unit": "enhed", "units": "enheder",
    "organisation": "organisation", "organization": "organisation",
    "municipality": "kommune", "municipalities": "kommuner", "council": "kommunalbestyrelse",
    "committee": "udvalg", "citizen": "borger", "citizens": "borgere",
    "resident": "beboer", "residents": "beboere", "housing": "boliger", "homes": "boliger",
    "home": "bolig", "school": "skole", "schools": "skoler", "children": "børn",
    "elderly": "ældre", "dental": "tandpleje", "job": "job", "jobs": "job",
    "employment": "beskæftigelse", "unemployed": "ledige", "internship": "praktik",
    "survey": "undersøgelse", "surveys": "undersøgelser", "study": "undersøgelse",
    "analysis": "analyse", "report": "rapport", "evaluation": "evaluering",
    "result": "resultat", "results": "resultater", "target": "mål", "targets": "mål",
    "goal": "mål", "goals": "mål", "carried": "gennemført", "conducted": "gennemført",
    "participated": "deltog", "participants": "deltagere", "part": "deltog del",
    "digital": "digital", "digitalisation": "digitalisering",
    "digitalization": "digitalisering", "system": "system", "systems": "systemer",
    "phone": "telefon", "phones": "telefoner", "telephone": "telefon", "call": "opkald",
    "calls": "opkald", "opening": "åbningstid", "service": "service",
    "communication": "kommunikation", "guidelines": "retningslinjer", "rules": "regler",
    "rule": "regel", "procedure": "procedure", "control": "kontrol", "audit": "revision",
    "supervision": "tilsyn", "documents": "dokumenter", "document": "dokument",
    "governance": "styring", "transfer": "overførsel", "underspending": "mindreforbrug",
    "overspending": "merforbrug", "construction": "anlæg", "maintenance": "vedligeholdelse",
    "building": "byggeri", "buildings": "bygninger", "urban": "by", "development": "udvikling",
    "town": "by", "city": "by", "village": "landsby", "new": "nye", "life": "liv",
    "coordinator": "koordinator", "responsible": "ansvarlig", "responsibility": "ansvar",
    "roles": "roller", "role": "rolle", "values": "værdier", "flexible": "fleksibel",
    "workplace": "arbejdsplads", "work": "arbejde", "remote": "hjemmearbejde",
    "theme": "tema", "themes": "temaer", "postponed": "udsat", "delayed": "udsat",
    "population": "befolkning", "forecast": "prognose", "forecasts": "prognoser",
    "tool": "værktøj", "supplier": "leverandør", "agreement": "aftale", "contract": "kontrakt",
    "mobile": "mobil", "data": "data", "breach": "brud", "breaches": "brud",
}


def is_english(words: list[str]) -> bool:
    return sum(w.lower() in ENGLISH_MARKERS for w in words) >= 2


def translate(word: str) -> list[str]:
    """The Danish words for an English word; [] for an English function word; the word
    itself when it is neither (names, numbers, words shared by both languages)."""
    lower = word.lower()
    if lower in ENGLISH_TO_DANISH:
        return ENGLISH_TO_DANISH[lower].split()
    if lower in ENGLISH_STOPWORDS:
        return []
    return [word]
