"""What the library generator knows to be true: every report's body, dates, ratings and figures.

The three fixed reports of the small library never change with the seed (the question set in
evals/library/questions.yaml was written from them); `--scale` adds varied reports drawn from a seeded
random generator. `ratings_rows()` is the ground truth tests compare `assistant ratings` with.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate")
NOT_INSPECTED = "Not inspected"
SCORES = {"Outstanding": 3, "Good": 2, "Requires improvement": 1, "Inadequate": 0, NOT_INSPECTED: 0}
# (low, high, rating): the bands of the scoring note printed under every ratings table
BANDS = ((0, 6, "Inadequate"), (7, 15, "Requires improvement"), (16, 24, "Good"), (25, 30, "Outstanding"))

DOMAINS = (
    ("1", "Organisational delivery", (("1.1", "Leadership"), ("1.2", "Staff"), ("1.3", "Services"),
                                      ("1.4", "Information and facilities"))),
    ("2", "Case supervision", (("2.1", "Assessment"), ("2.2", "Planning"), ("2.3", "Implementation and delivery"),
                               ("2.4", "Reviewing"))),
    ("3", "Unpaid work and accredited programmes", (("3.1", "Unpaid work"), ("3.2", "Accredited programmes"))),
)
STANDARDS = tuple(f"{num} {name}" for _, _, stds in DOMAINS for num, name in stds)
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")


def overall_for(score: int) -> str:
    for low, high, rating in BANDS:
        if low <= score <= high:
            return rating
    raise ValueError(f"score {score} outside 0-30")


@dataclass
class Team:
    name: str
    cases: int
    high_risk: int
    pos_fte: float
    psos_fte: float
    vacancies_fte: float

    @property
    def caseload_per_officer(self) -> float:
        return round(self.cases / (self.pos_fte + self.psos_fte), 1)


@dataclass
class ReportSpec:
    slug: str                 # file stem, e.g. hmip-harrowfield-pdu-2024
    body: str                 # "Harrowfield Probation Delivery Unit"
    short: str                # "Harrowfield PDU"
    place: str                # "Harrowfield"
    region: str               # "Northmoor"
    head: str                 # head of the PDU
    lead_inspector: str
    fieldwork: tuple[int, int]  # (year, month)
    published: date
    ratings: dict[str, str]   # standard ("1.1 Leadership") -> rating or "Not inspected"
    teams: list[Team]
    upw_hours_prev_year: int  # unpaid work hours completed in the calendar year before publication
    upw_starts_prev_year: int
    office_move: tuple[str, str, str]  # (old office, new office, date text): the scanned page's fact
    partner: str              # a named partner organisation
    strategy: str             # a local plan named in a footnote
    recommendations: int
    case_example_pages: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def score(self) -> int:
        return sum(SCORES[r] for r in self.ratings.values())

    @property
    def overall(self) -> str:
        return overall_for(self.score)

    @property
    def fieldwork_text(self) -> str:
        return f"{MONTH_NAMES[self.fieldwork[1] - 1]} {self.fieldwork[0]}"

    @property
    def published_text(self) -> str:
        return f"{self.published.day} {MONTH_NAMES[self.published.month - 1]} {self.published.year}"

    @property
    def title(self) -> str:
        return f"An inspection of probation services in: {self.body}"

    @property
    def doc_id(self) -> str:
        return f"reports/{self.slug}"

    @property
    def total_cases(self) -> int:
        return sum(t.cases for t in self.teams)


def _teams(rng: random.Random, names: list[str]) -> list[Team]:
    out = []
    for name in names:
        pos = rng.choice([4.0, 4.5, 5.0, 5.6, 6.0, 6.8, 7.0, 7.5, 8.0, 9.2])
        psos = rng.choice([2.0, 2.5, 3.0, 3.4, 4.0, 4.5, 5.0])
        cases = int((pos + psos) * rng.randint(24, 41))
        out.append(Team(name, cases, int(cases * rng.uniform(0.18, 0.34)), pos, psos,
                        rng.choice([0.0, 0.0, 0.5, 1.0, 1.0, 1.5, 2.0, 2.6, 3.0])))
    return out


def _ratings(values: list[str]) -> dict[str, str]:
    assert len(values) == len(STANDARDS)
    return dict(zip(STANDARDS, values, strict=False))


G, RI, I, O, NI = "Good", "Requires improvement", "Inadequate", "Outstanding", NOT_INSPECTED  # noqa: E741 (rating initials keep the tables readable)


def fixed_reports() -> list[ReportSpec]:
    """The small library's three reports (independent of any seed)."""
    return [
        ReportSpec(
            slug="hmip-harrowfield-pdu-2024", body="Harrowfield Probation Delivery Unit", short="Harrowfield PDU",
            place="Harrowfield", region="Northmoor", head="Imogen Castellane", lead_inspector="Rupert Amesbury",
            fieldwork=(2024, 3), published=date(2024, 6, 12),
            ratings=_ratings([G, RI, G, G, RI, I, RI, I, G, RI]),
            teams=_teams(random.Random("harrowfield"), [
                "Harrowfield Central A", "Harrowfield Central B", "Kestle Bridge", "Oakmere", "Pellow Green",
                "Tanner's Yard", "Court and assessment", "Sentence management North", "Sentence management South",
                "Women's team", "Young adults (18-25)", "Integrated offender management", "Unpaid work",
                "Accredited programmes", "Victim liaison", "Resettlement (custody)"]),
            upw_hours_prev_year=41260, upw_starts_prev_year=1184,
            office_move=("Tanner's Yard", "Beacon House on Quarry Lane", "30 September 2024"),
            partner="Harrowfield Women's Hub", strategy="Harrowfield Reducing Reoffending Plan 2023-2026",
            recommendations=6),
        ReportSpec(
            slug="hmip-calderbrook-wendle-pdu-2024", body="Calderbrook and Wendle Probation Delivery Unit",
            short="Calderbrook and Wendle PDU", place="Calderbrook and Wendle", region="Eastvale",
            head="Olufemi Hartwright", lead_inspector="Sadie Pennock",
            fieldwork=(2023, 10), published=date(2024, 1, 24),
            ratings=_ratings([O, G, G, O, G, G, G, RI, O, G]),
            teams=_teams(random.Random("calderbrook"), [
                "Calderbrook Town", "Calderbrook Rural", "Wendle Valley", "Wendle Riverside", "Mossgate",
                "Court team", "Case allocation", "Public protection", "Women's team", "Young adults",
                "Integrated offender management", "Unpaid work", "Programmes", "Victim liaison"]),
            upw_hours_prev_year=56890, upw_starts_prev_year=1502,
            office_move=("Mill Street", "the Wendle Civic Centre", "15 April 2024"),
            partner="Wendle Valley Recovery Service", strategy="Eastvale Probation Business Plan 2023-24",
            recommendations=4),
        ReportSpec(
            slug="hmip-saltmarsh-coast-pdu-2023", body="Saltmarsh Coast Probation Delivery Unit",
            short="Saltmarsh Coast PDU", place="Saltmarsh Coast", region="Southerly Downs",
            head="Bartholomew Venn", lead_inspector="Priya Okonedo-Hale",
            fieldwork=(2022, 11), published=date(2023, 3, 8),
            ratings=_ratings([RI, I, RI, RI, I, I, RI, I, RI, NI]),
            teams=_teams(random.Random("saltmarsh"), [
                "Brackenholme", "Port Essary", "Saltmarsh North", "Saltmarsh South", "Gullhaven",
                "Court team", "High risk team", "Women's team", "Young adults", "Unpaid work",
                "Integrated offender management", "Resettlement", "Gullhaven Rural", "Victim liaison",
                "Approved premises liaison"]),
            upw_hours_prev_year=23415, upw_starts_prev_year=962,
            office_move=("Harbour Road", "the former magistrates' court building in Port Essary", "1 June 2023"),
            partner="Gullhaven Housing Trust", strategy="Southerly Downs Estates Strategy 2022",
            recommendations=8),
    ]


_PLACE_A = ["Ash", "Bram", "Cal", "Dun", "Ell", "Fen", "Gar", "Hol", "Ives", "Kin", "Lang", "Mar", "Nor", "Ock",
            "Pen", "Quen", "Ros", "Stan", "Thorn", "Ulls", "Ver", "Wex", "Yarn", "Zel"]
_PLACE_B = ["ford", "bury", "wick", "mere", "ton", "field", "ley", "borough", "stead", "combe", "haven", "by"]
_REGIONS = ["Northmoor", "Eastvale", "Southerly Downs", "Westerfold", "Midshire Vale", "Fenland Reach"]
_FIRST = ["Alys", "Ben", "Cora", "Dev", "Edith", "Farid", "Gwen", "Hamish", "Ines", "Jonah", "Keziah", "Lorcan",
          "Mira", "Nell", "Osian", "Petra", "Quentin", "Rhiannon", "Soren", "Tamsin"]
_LAST = ["Abernethy", "Blackwood", "Carrow", "Delacourt", "Everleigh", "Fairbairn", "Greaves", "Holloway",
         "Ingleby", "Jessop", "Kettering", "Lomax", "Marchbank", "Nuttall", "Ormerod", "Pilkington"]
_TEAM_SUFFIX = ["Central", "North", "South", "East", "West", "Court team", "Public protection", "Women's team",
                "Young adults", "Unpaid work", "Programmes", "Integrated offender management", "Victim liaison",
                "Resettlement"]


def scaled_reports(n: int, seed: int = 0) -> list[ReportSpec]:
    """n reports: the three fixed ones, then varied ones (names, figures, ratings, length) from the seed."""
    reports = fixed_reports()[:n]
    rng = random.Random(seed)
    used = {r.place for r in reports}
    i = 0
    while len(reports) < n:
        i += 1
        place = rng.choice(_PLACE_A) + rng.choice(_PLACE_B)
        if place in used:
            place = f"{place} and {rng.choice(_PLACE_A)}{rng.choice(_PLACE_B)}"
            if place in used:
                continue
        used.add(place)
        year = rng.choice([2021, 2022, 2023, 2024])
        month = rng.randint(1, 12)
        pub = date(year + (month + 3 > 12), (month + 3 - 1) % 12 + 1, rng.randint(1, 28))
        level = rng.random()
        values = []
        for _ in STANDARDS:
            x = level + rng.uniform(-0.35, 0.35)
            values.append(I if x < 0.25 else RI if x < 0.55 else G if x < 0.85 else O)
        if rng.random() < 0.2:
            values[rng.randrange(len(values))] = NI
        slug_place = place.lower().replace(" ", "-")
        reports.append(ReportSpec(
            slug=f"hmip-{slug_place}-pdu-{pub.year}-{i}", body=f"{place} Probation Delivery Unit",
            short=f"{place} PDU", place=place, region=rng.choice(_REGIONS),
            head=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", lead_inspector=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
            fieldwork=(year, month), published=pub, ratings=_ratings(values),
            teams=_teams(rng, [f"{place} {s}" if k < 5 else s for k, s in enumerate(_TEAM_SUFFIX[:rng.randint(11, 14)])]),
            upw_hours_prev_year=rng.randint(15000, 70000), upw_starts_prev_year=rng.randint(600, 1900),
            office_move=(f"{rng.choice(_LAST)} House", f"{rng.choice(_LAST)} Court", f"{rng.randint(1, 28)} "
                         f"{rng.choice(MONTH_NAMES)} {pub.year + 1}"),
            partner=f"{place} Recovery Partnership", strategy=f"{place} Reducing Reoffending Plan {pub.year}",
            recommendations=rng.randint(3, 9), case_example_pages=rng.randint(3, 9)))
    return reports


def ratings_rows(reports: list[ReportSpec] | None = None) -> list[dict]:
    """One row per (report, standard) plus one per report for the overall rating:
    {doc_id, body, region, standard, rating, overall, score, fieldwork, published}."""
    rows = []
    for r in reports if reports is not None else fixed_reports():
        base = {"doc_id": r.doc_id, "body": r.body, "region": r.region, "overall": r.overall, "score": r.score,
                "fieldwork": r.fieldwork_text, "published": r.published.isoformat()}
        for standard, rating in r.ratings.items():
            rows.append({**base, "standard": standard, "rating": rating})
        rows.append({**base, "standard": "Overall", "rating": r.overall})
    return rows
