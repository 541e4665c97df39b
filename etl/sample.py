"""A deterministic, synthetic landing zone of news articles: the project's own demo data.

Every word is generated here from templates and a made-up vocabulary (invented countries, towns,
companies, people and teams), so the demo ships no publisher's text. Files follow the canonical
raw format (see ``../shared/corpora/README.md``)::

    <target>/dt=YYYY-MM-DD/<source>/<NNN>_<16 hex>.txt      16 hex = sha256(file bytes)[:16]

and start with ``' date YYYY-MM-DD '`` followed by the body, paragraphs separated by one or three
blank lines. A handful of "stories" (a dam under strain, a chip launch, a dock strike, ...) rise
and fade across the days, so a demo's top terms change from day to day.

:func:`generate_sample` writes the small demo zone, with the messy cases the pipeline must
handle (an undated article, a cp1252 article, an empty file, an exact duplicate and a late
arrival) described in the returned :class:`SampleManifest`. :func:`generate_bulk` writes large
clean zones for benchmarks. Both draw from one ``random.Random(seed)``, so the same arguments
always give byte-identical files.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
import random
import shutil
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from etl.errors import ConfigError

__all__ = [
    "MARKER",
    "SOURCES",
    "Kind",
    "SampleFile",
    "SampleManifest",
    "generate_bulk",
    "generate_sample",
]

#: A folder holding this file was written by this module and may be wiped by it.
MARKER = ".news-etl-sample"
#: The feeds of a generated zone: one folder per source below each date folder.
SOURCES: tuple[str, ...] = ("wire", "daily-courier", "tech-review")

Kind = Literal["article", "undated", "cp1252", "empty", "duplicate"]

_EMPTY_NAME = "empty_0000000000000000.txt"
_MARKER_TEXT = (
    "Synthetic landing zone written by etl.sample (news-etl demo data).\n"
    "The generator wipes and rewrites this folder; keep nothing else in it.\n"
)


@dataclass(frozen=True, slots=True)
class SampleFile:
    """One file written into a generated landing zone."""

    path: str  # POSIX path relative to the zone root
    date: _dt.date  # the date the pipeline should give it: header date, else the folder date
    kind: Kind
    source: str
    folder_date: _dt.date
    sha256: str
    size: int


@dataclass
class SampleManifest:
    """What a generator wrote, and what a pipeline run over it should report."""

    root: Path
    files: list[SampleFile] = field(default_factory=list)  # sorted by path; marker not included
    dates: list[date] = field(default_factory=list)  # the dt= folder dates, in order
    expected_articles: int = 0  # distinct non-empty articles
    expected_duplicates: int = 0  # files whose bytes equal an earlier file's
    expected_quarantined: int = 0  # files the pipeline must quarantine (the empty one)

    @property
    def n_files(self) -> int:
        """How many files were written (the marker not counted)."""
        return len(self.files)

    def in_folder(self, day: date) -> list[SampleFile]:
        """The files written below ``dt=<day>/``."""
        return [f for f in self.files if f.folder_date == day]

    def articles_by_date(self) -> dict[date, int]:
        """Distinct articles per published date (what each warehouse partition should hold)."""
        counts: dict[date, int] = {}
        for file in self.files:
            if file.kind in ("article", "undated", "cp1252"):
                counts[file.date] = counts.get(file.date, 0) + 1
        return dict(sorted(counts.items()))


# --------------------------------------------------------------------------------------------
# Vocabulary: all of it invented for this project.
# --------------------------------------------------------------------------------------------


def _lines(block: str) -> tuple[str, ...]:
    """One template per line; an indented line continues the template above it."""
    out: list[str] = []
    for line in block.splitlines():
        if not line.strip():
            continue
        if line[0] == " " and out:
            out[-1] += " " + line.strip()
        else:
            out.append(line.strip())
    return tuple(out)


_FIRST_F = (
    "Anya",
    "Marta",
    "Helen",
    "Sunita",
    "Greta",
    "Lena",
    "Priya",
    "Mireille",
    "Renée",
    "Farah",
    "Ines",
    "Odette",
)
_FIRST_M = (
    "Tobias",
    "Idris",
    "Rafael",
    "Kwame",
    "Oskar",
    "Declan",
    "José",
    "Hiroshi",
    "Callum",
    "Anton",
    "Emeka",
    "Lukas",
)
_FIRST = _FIRST_F + _FIRST_M
_LAST = (
    "Holt",
    "Wren",
    "Okafor",
    "Lindqvist",
    "Marchetti",
    "Castell",
    "Brandt",
    "Ishikawa",
    "Osei",
    "Duarte",
    "Kowal",
    "Fenwick",
    "Arden",
    "Halloran",
    "Varga",
    "Quist",
    "Ferrante",
    "Adeyemi",
    "Thorsen",
    "Beaumont",
)
_COUNTRIES = ("Corrania", "Dastmark", "Aldmere", "Norland", "Kestova")
_CITIES = (
    "Port Aldwin",
    "Marrow Falls",
    "Eastholm",
    "New Carrick",
    "Lisbourne",
    "Grayhaven",
    "Kestrel Bay",
    "Halden",
)
_REGIONS = (
    "the Calder Valley",
    "the northern highlands",
    "the eastern lowlands",
    "western Corrania",
    "the Ashwater delta",
    "the southern coast",
)
_RIVERS = ("the Calder", "the Ashwater", "the Vell")
_COMPANIES = (
    "Norvane Corp.",
    "Altabridge Inc.",
    "Bluefin Logistics",
    "Quarry Point Energy",
    "Helixa Systems",
    "Cobaltline",
    "Orrin Motors",
    "Tessaract Labs",
)
_BANKS = ("Sablewood Bank", "Merrow Capital", "First Halden", "Castell & Rhee")
_RESEARCH = ("Lumen Insight", "Datapoint Research", "Vantage Metrics")
_STARTUPS = ("Brightloom", "Nimbus Forge", "Parcelwise", "Quillion")
_OUTLETS = ("the Daily Courier", "the Metro Herald", "Tech Review", "the Aldmere Wire")
_INDEXES = ("Meridian 200 index", "Harbour Composite", "Aldmere All-Share index")
_PARTIES = (
    "Unity Alliance",
    "Reform Party",
    "Green Compact",
    "National Union",
    "Progressive Front",
)
_TEAMS = (
    "Port Aldwin Rovers",
    "Eastholm City",
    "Lisbourne Athletic",
    "Grayhaven United",
    "New Carrick Wanderers",
    "Halden Town",
)
_AGENCIES = (
    "finance ministry",
    "competition authority",
    "civil aviation authority",
    "interior ministry",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ORDINALS = ("second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")


@dataclass(frozen=True)
class _Topic:
    name: str
    leads: tuple[str, ...]
    bodies: tuple[str, ...]
    quotes: tuple[str, ...]
    roles: tuple[str, ...]


_MARKETS = _Topic(
    "markets",
    _lines("""
Shares in {company} rose {pct} on {weekday} after the company reported quarterly revenue of
  {money}, ahead of analysts’ forecasts.
The {index} fell {pct} on {weekday}, its steepest one-day drop since {year}, as investors
  weighed fresh signs of slowing growth.
{country}’s central bank left its benchmark rate unchanged at {pct} on {weekday}, resisting
  pressure from exporters to cut borrowing costs.
Oil prices climbed for a third straight session on {weekday}, with benchmark crude settling near
  ${oil} a barrel.
{company} said on {weekday} it would cut {count2} jobs worldwide as part of a {money}
  cost-saving plan.
"""),
    _lines("""
Trading volumes were {pct} above the 30-day average, according to exchange data.
The company’s net profit fell to {money} from {money} a year earlier.
Analysts at {bank} raised their price target on the stock, citing stronger-than-expected demand
  in the U.S. and Asia.
Bond yields edged higher, with the 10-year note yielding {pct} in late trading.
The state-owned lender has been under pressure to shore up its balance sheet since {year}.
Inflation slowed to {pct} in {prev_month}, down from {pct} the month before, official figures
  showed.
Year-on-year, exports rose {pct} to {money}, driven by shipments of machinery and electronics.
The currency weakened {pct} against the U.S. dollar, touching its lowest level in {small}
  months.
Some {count} retail investors hold shares in the group, according to its annual report.
Mid-cap stocks underperformed, while defensive sectors such as utilities and health care gained
  ground.
Futures markets are now pricing in a cut of {pts} by the end of the year.
The board also approved a share buyback of up to {money}, the company said in a filing.
Demand has yet to recover to the levels seen before the COVID-19 pandemic, the {agency} said.
{bank} cut its growth forecast for {country} to {pct} from {pct}.
Foreign investors were net sellers for a {ordinal} consecutive week.
The takeover values the company at {money}, including debt.
"""),
    _lines("""
We’re seeing a more cautious consumer, and that is showing up in the numbers
The market had priced in a lot of good news... today was a reminder that growth isn’t guaranteed
Our balance sheet is strong and we have room to invest through the cycle
Nobody wants to be the last one holding long-dated bonds if inflation turns again
"""),
    (
        "chief economist at {bank}",
        "a portfolio manager at {bank}",
        "the finance minister",
        "head of markets research at {bank}",
        "chief executive of {company}",
    ),
)

_WEATHER = _Topic(
    "weather",
    _lines("""
Heavy rain swept across {region} on {weekday}, flooding roads and cutting power to {count}
  homes, officials said.
Temperatures in {city} reached {temp} degrees Celsius on {weekday}, breaking a record set in
  {year}.
Forecasters issued a red warning for {region} on {weekday} as gusts of up to {wind} km/h were
  expected overnight.
A late-season cold snap brought snow to parts of {region}, closing schools and delaying flights
  at {city}’s main airport.
"""),
    _lines("""
The national weather service said {rain}mm of rain fell in {small} hours, more than the usual
  total for the whole of {prev_month}.
Emergency crews rescued {small} people from cars stranded on flooded roads near {city}.
Rail operators cancelled dozens of services and warned passengers to expect delays until at
  least {next_weekday}.
Insurers estimate the damage could run to {money}, although the final figure may take weeks to
  establish.
Scientists say warmer seas are making such downpours more intense and more frequent.
About {count} households were still without electricity late on {weekday}, the grid operator
  said.
Farmers in low-lying areas moved livestock to higher ground as rivers rose.
Forecasters cautioned that more rain was on the way, even as the front weakened over the coast.
Local authorities opened {small} temporary shelters in schools and sports halls.
Gen. {last} of the civil defence corps said troops were on standby to help with evacuations.
Some {count2} people spent the night in emergency accommodation.
Wind speeds at the coast peaked at {wind} km/h shortly after midnight.
The drought earlier in the year had left the ground too hard to absorb the rain.
"""),
    _lines("""
We’ve never seen the river come up this fast... it was over the wall in under an hour
Please stay off the roads unless your journey is absolutely necessary
This is the kind of event that used to happen once in a generation
"""),
    (
        "a meteorologist at the national weather service",
        "the mayor of {city}",
        "a resident of {city}",
        "head of the regional emergency service",
    ),
)

_ELECTIONS = _Topic(
    "elections",
    _lines("""
Voters in {country} went to the polls on {weekday} in a closely fought parliamentary election
  that could end {small} years of coalition rule.
The {party} claimed victory in the regional election in {region} on {weekday}, winning {seats} of
  the assembly’s 120 seats.
The {party} called for a recount on {weekday} after official results showed it trailing by fewer
  than {count2} votes.
Turnout in the first round of {country}’s presidential election reached {pct}, the electoral
  commission said on {weekday}.
"""),
    _lines("""
Polls had shown the {party} and the {party2} running neck and neck for weeks.
Sen. {last} of the {party} said the party would respect the result.
The electoral commission said {count} ballots had been counted by midnight, about {pct} of the
  total.
Campaigning focused on the cost of living, housing and the future of the state-owned rail
  company.
International observers said the vote was broadly free and fair, though they noted problems
  with voter registration in rural districts.
The {party2} won {pct} of the vote, its best result since {year}.
Mr. {last}, a former mayor of {city}, ran on a promise to cut income tax for middle-class
  families.
Under the constitution, the new parliament must meet within {small} days of the vote.
Markets reacted calmly, with the {index} closing {pct} higher.
The {party} has promised to build {count2} affordable homes a year if elected.
Early returns suggested a swing of {pct} towards the opposition in urban districts.
Postal ballots, which made up {pct} of the total, are counted last.
"""),
    _lines("""
The people have spoken, and we will govern for everyone, not just those who voted for us
We will look very carefully at every irregularity... every vote must count
This is a clear mandate for change
"""),
    (
        "leader of the {party}",
        "a political scientist at the University of {city}",
        "a spokesperson for the electoral commission",
        "a senior member of the {party2}",
    ),
)

_SPORTS = _Topic(
    "sports",
    _lines("""
{team} beat {team2} {score} on {weekday} to move top of the league with {small} games remaining.
{team} came from two goals down to draw {draw} with {team2} in front of {count} fans on
  {weekday}.
The world record holder {full_name} pulled out of the {city} Marathon on {weekday} with a
  hamstring injury.
{team} confirmed on {weekday} that head coach {full_name} had agreed a two-year contract
  extension.
"""),
    _lines("""
The winning goal came in the {minute} minute, a low shot from the edge of the area.
Attendance at the stadium has risen {pct} this season, the club said.
The club’s record signing, bought for {money} last summer, has scored {small} goals in all
  competitions.
Mr. {last}, the club’s chairman, said the board had full confidence in the manager.
The defeat leaves {team2} {small} points adrift of the play-off places.
Tickets for the final sold out within {small} minutes of going on sale.
Injuries to two first-team defenders forced a late reshuffle.
The league’s broadcasting deal, worth {money} over four years, is due for renewal next season.
The visitors had a second-half penalty saved by the goalkeeper.
The club said it would appeal against the red card shown to its captain.
{team} have now won {small} of their last 20 matches.
"""),
    _lines("""
The lads showed real character today... we never stopped believing
We’re not getting carried away, there’s a long way to go
It’s the best I’ve felt in a race for a long time
"""),
    ("head coach of {team}", "captain of {team}", "a former international now working as a pundit"),
)

_TECHNOLOGY = _Topic(
    "technology",
    _lines("""
{company} unveiled a new line of laptops on {weekday}, betting that on-device artificial
  intelligence will revive slowing sales.
Regulators in the E.U. opened an investigation on {weekday} into whether {company} abused its
  dominance in cloud software.
{company} said on {weekday} it had fixed a security flaw that may have exposed the data of
  {count} users.
Start-up {startup} raised {money} in a funding round led by {bank}, valuing the company at
  {money}.
"""),
    _lines("""
The company said the devices would ship next month in Europe and Asia, with prices starting at
  ${price}.
Shipments of smartphones fell {pct} year-on-year in the last quarter, according to research firm
  {research}.
Engineers traced the outage to a faulty software update pushed to {count} servers.
The new chip uses {pct} less power than its predecessor, the company said.
Critics say the terms of service give the company too much access to users’ personal data.
The firm employs about {count2} people, roughly a third of them in research and development.
Open-source developers have raised concerns about the licence change.
The update will roll out to users in the U.S. first, followed by other markets.
The company’s cloud division grew {pct} in the quarter, to {money} in revenue.
Battery life is rated at {small} hours, the company said.
Dr. {last}, who studies cyber-security at the University of {city}, called the flaw “serious
  but not unusual”.
Data-centre spending is expected to reach {money} this year, analysts at {bank} estimate.
"""),
    _lines("""
We think this is the most important product we’ve shipped in a decade
Users don’t need to take any action... the fix was applied automatically
Every company is now an AI company, whether it likes it or not
"""),
    (
        "chief executive of {company}",
        "an analyst at {research}",
        "a spokesperson for {company}",
        "a professor of computer science at the University of {city}",
    ),
)

_TOPICS: dict[str, _Topic] = {
    t.name: t for t in (_MARKETS, _WEATHER, _ELECTIONS, _SPORTS, _TECHNOLOGY)
}

_GENERIC = _lines("""
The figures could not be independently verified.
A spokesperson for the U.S. embassy declined to comment on the matter.
The story was first reported by {outlet} on {weekday}.
Officials said more details would be released in the coming days.
Mr. {last} did not respond to a request for comment.
The government’s statement gave no timetable.
Similar concerns were raised in {year}, when {count} people signed a petition on the issue.
The {agency} said it was monitoring the situation closely.
Opposition lawmakers called for a parliamentary inquiry.
The announcement came hours after a cabinet meeting in {city}.
It was not immediately clear how many people would be affected.
A report published in {year} reached broadly similar conclusions.
Critics said the response had been too slow.
The issue is expected to come up at next week’s meeting of regional leaders.
Ms. {last}, a senior official at the {agency}, said a decision was expected within {small} days.
A poll of {count2} adults found that {pct} expected the situation to get worse.
Gov. {last} said the province would ask the national government for emergency funds.
Dr. {last}, an economist at the University of {city}, said the long-term costs were hard to
  estimate.
""")


@dataclass(frozen=True)
class _Story:
    name: str
    topic: str
    leads: tuple[str, ...]
    bodies: tuple[str, ...]
    quotes: tuple[str, ...]


_STORIES: tuple[_Story, ...] = (
    _Story(
        "brennick-dam",
        "weather",
        _lines("""
Engineers worked through the night to relieve pressure on the Brennick Dam after cracks appeared
  in its spillway, forcing the evacuation of {count2} residents downstream.
Water levels behind the Brennick Dam rose again on {weekday}, officials said, as more rain fell
  across the valley of {river}.
"""),
        _lines("""
The Brennick Dam, completed in {old_year}, holds back roughly {small} million cubic metres of
  water.
Evacuation orders remain in place for {small} villages along {river} below the dam.
Inspectors first flagged erosion at the dam’s spillway in {year}, according to documents seen by
  {outlet}.
The state-owned utility that operates the Brennick Dam said it was releasing water at a
  controlled rate.
Residents of {city} described queues of cars leaving the valley before dawn.
Gen. {last} said army engineers had placed {count2} sandbags along the weakest section of the
  embankment.
A second crack was found on the downstream face of the Brennick Dam late on {weekday}.
Engineers said water was seeping through the spillway at a rate of {small} cubic metres a
  second.
Schools in the valley below the Brennick Dam will stay closed until the evacuation order is
  lifted.
The utility said it would commission an independent review of the dam once the water level fell.
"""),
        _lines("""
The Brennick Dam is holding, but we are not taking any chances
We left with what we could carry... nobody knows when we can go back
"""),
    ),
    _Story(
        "kestrel-9",
        "technology",
        _lines("""
Tessaract Labs said on {weekday} its Kestrel-9 processor would go into mass production next
  quarter, months ahead of schedule.
Shortages of the Kestrel-9 chip are delaying deliveries of servers to data-centre customers,
  {company} said on {weekday}.
"""),
        _lines("""
The Kestrel-9 packs {cores} cores and is aimed at artificial-intelligence workloads.
Tessaract Labs shares have gained {pct} since the Kestrel-9 was first shown to investors in
  {prev_month}.
The Kestrel-9 chip will be manufactured at a {money} plant outside {city}.
Rivals including {company2} are expected to respond with their own AI accelerators later this
  year.
Analysts at {research} estimate Kestrel-9 sales could reach {money} in its first full year.
Early benchmark results suggest the Kestrel-9 is {small}% faster than the chip it replaces.
Cloud providers have reserved most of the first year of Kestrel-9 production, people familiar
  with the orders said.
Tessaract Labs said the Kestrel-9 chip would be sold to server makers at about ${price} a unit.
"""),
        _lines("""
Demand for the Kestrel-9 is running well ahead of supply
Kestrel-9 changes the economics of running large models... that is the whole point
"""),
    ),
    _Story(
        "dock-strike",
        "markets",
        _lines("""
Dockworkers at Port Aldwin extended their strike into a {ordinal} day on {weekday}, leaving
  {small} container ships waiting offshore.
Talks to end the Port Aldwin dock strike broke down late on {weekday}, the dockworkers’ union
  said.
"""),
        _lines("""
The dockworkers’ union is demanding a {pct} pay rise over three years and limits on automation
  at the container terminals.
Port Aldwin handles about {pct} of the country’s container traffic.
Retailers warned that shelves could run short of some imported goods within {small} days if the
  dock strike continued.
Shipping lines have begun diverting vessels to Kestrel Bay, adding {small} days to some
  journeys.
The port operator estimates the strike is costing {money} a day in lost trade.
About {count2} dockworkers walked out when their contract expired, the union said.
Queues of lorries stretched for {small} kilometres on the road into Port Aldwin.
The labour ministry has offered to appoint a mediator to end the dock strike.
"""),
        _lines("""
Our members have had enough of being told to wait
Every day the dock strike goes on, the damage to the economy gets worse
"""),
    ),
    _Story(
        "storm-odile",
        "weather",
        _lines("""
Storm Odile made landfall on the southern coast early on {weekday}, bringing winds of up to
  {wind} km/h and a storm surge of {metres} metres.
The clean-up from Storm Odile began on {weekday} as {count} homes remained without power.
"""),
        _lines("""
Storm Odile is the {ordinal} named storm of the season.
Forecasters tracked Odile as it strengthened over unusually warm water.
Insurers said claims related to Storm Odile could exceed {money}.
Ferry services were suspended and {small} flights were cancelled at {city} airport as Odile
  passed.
Storm Odile brought down power lines across the southern coast, the grid operator said.
The coastguard said it had rescued {small} people from boats caught out by Odile.
Forecasters expect the remnants of Odile to bring heavy rain inland on {next_weekday}.
"""),
        _lines("""
Odile was stronger than anything we have seen here in years
"""),
    ),
    _Story(
        "velland-runoff",
        "elections",
        _lines("""
Marisol Quen and Tomas Berrigan will face each other in a runoff after neither won a majority in
  Velland’s presidential election, results showed on {weekday}.
Velland’s runoff campaign turned bitter on {weekday} as Tomas Berrigan accused allies of Marisol
  Quen of misusing state-owned media.
"""),
        _lines("""
Ms. Quen, a former central bank governor, won {pct} of the first-round vote in Velland.
Mr. Berrigan, who leads the {party}, finished with {pct}.
The Velland runoff is scheduled for the last Sunday of the month.
About {count} Velland citizens living abroad have registered to vote in the runoff.
Both candidates have promised to renegotiate Velland’s {money} loan agreement with international
  lenders.
A televised runoff debate between Ms. Quen and Mr. Berrigan is planned for {next_weekday}.
The latest poll puts Ms. Quen on {pct} and Mr. Berrigan on {pct}, with many voters undecided.
The Velland electoral commission said it would publish runoff results within {small} hours of
  polls closing.
"""),
        _lines("""
Velland cannot afford another four years of drift
We will win the runoff because people are tired of empty promises
"""),
    ),
    _Story(
        "norvane-merger",
        "markets",
        _lines("""
Norvane Corp. agreed on {weekday} to buy the payments unit of Sablewood Bank for {money}, the
  largest merger in the sector this year.
Antitrust regulators said on {weekday} they would review the proposed Norvane takeover of
  Sablewood’s payments business.
"""),
        _lines("""
The Norvane takeover would create a company processing about {count} transactions a day.
Sablewood shares jumped {pct} on news of the merger, while Norvane fell {pct}.
The merger is expected to close in the second half of the year, subject to regulatory approval.
Norvane said the deal would generate annual cost savings of {money} within three years.
Norvane will finance the takeover with cash and {money} of new debt.
Unions at Sablewood have asked for guarantees that jobs will not be cut after the merger.
Competitors complained that the Norvane merger would leave too few payment processors in
  Aldmere.
"""),
        _lines("""
This merger gives us the scale to compete with the largest global players
Regulators will want to look very closely at what this takeover means for fees
"""),
    ),
    _Story(
        "tarrow-hawks",
        "sports",
        _lines("""
The Tarrow Hawks reached the cup semifinal on {weekday} with a {score} win over {team2},
  extending the club’s remarkable run.
Tickets for the Tarrow Hawks’ cup semifinal sold out in {small} minutes on {weekday}.
"""),
        _lines("""
The Hawks were playing in the fourth tier only {small} seasons ago.
Striker Jonah Ferreira has scored in every round of the cup so far for the Hawks.
The semifinal will be played at the national stadium in front of about {count} supporters.
The Hawks have not conceded a goal in {small} cup matches.
Tarrow, a town of {count2} people, has never had a team in a cup semifinal.
Hawks manager Lena Castell said the squad would prepare as for any other match.
"""),
        _lines("""
This cup run means everything to the town
"""),
    ),
)

#: Sentences with a pound sign and an accented letter, for the cp1252-encoded article.
_CP1252_LINES = _lines("""
In London, the Café Mirabelle chain said it expected sales of £{small}m this year, up from
  £{small2}m.
Société Vireaux, the French partner in the project, put its share of the cost at £{small}m.
The Montréal-based fund paid £{small} a share for its stake, according to the filing.
""")

#: How often each source writes about each topic.
_SOURCE_TOPICS: dict[str, dict[str, float]] = {
    "wire": {"markets": 3, "elections": 3, "weather": 2, "sports": 1, "technology": 2},
    "daily-courier": {"markets": 1, "elections": 2, "weather": 3, "sports": 3, "technology": 1},
    "tech-review": {"markets": 2, "elections": 0.2, "weather": 0.2, "sports": 0.2, "technology": 5},
}
_STORY_SHARE = 0.6  # share of articles that follow one of the trending stories
_QUOTE_SHARE = 0.2  # share of sentences (after the lead) that are quotes
_STORY_SENTENCES = 0.6  # share of the other sentences of a story article taken from the story
_GENERIC_SENTENCES = 0.15  # share of the other sentences taken from the topic-neutral pool
_WRITER_THREADS = 4  # generate_bulk: threads creating files
_WRITE_BATCH = 64  # generate_bulk: files per write task

# --------------------------------------------------------------------------------------------
# Filling templates
# --------------------------------------------------------------------------------------------


def _money(rng: random.Random) -> str:
    form = rng.random()
    if form < 0.4:
        return f"${rng.uniform(0.2, 48):.1f}bn"
    if form < 0.7:
        return f"${rng.randint(5, 950)}m"
    if form < 0.85:
        return f"${rng.uniform(1, 20):.2f} billion"
    return f"${rng.randint(2, 900)} million"


def _pct(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return f"{rng.uniform(0.1, 15):.1f}%"
    return f"{rng.randint(2, 60)}%"


def _ordinal_number(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _score(rng: random.Random) -> str:
    winner = rng.randint(1, 5)
    return f"{winner}-{rng.randint(0, winner - 1)}"


_FRESH: dict[str, Callable[[random.Random], str]] = {
    "money": _money,
    "pct": _pct,
    "pts": lambda r: r.choice(
        (
            "a quarter of a percentage point",
            "0.25 percentage points",
            "half a percentage point",
            "0.5 percentage points",
        )
    ),
    "count": lambda r: f"{r.randint(12_000, 480_000):,}",
    "count2": lambda r: f"{r.randint(1_200, 9_800):,}",
    "small": lambda r: str(r.randint(3, 19)),
    "small2": lambda r: str(r.randint(20, 40)),
    "cores": lambda r: str(r.choice((64, 96, 128, 192))),
    "oil": lambda r: str(r.randint(68, 104)),
    "price": lambda r: f"{r.randint(499, 2_499):,}",
    "temp": lambda r: str(r.randint(36, 44)),
    "wind": lambda r: str(r.randint(90, 180)),
    "rain": lambda r: str(r.randint(60, 240)),
    "metres": lambda r: f"{r.uniform(1.2, 4.8):.1f}",
    "year": lambda r: str(r.randint(1998, 2022)),
    "old_year": lambda r: str(r.randint(1954, 1979)),
    "seats": lambda r: str(r.randint(41, 68)),
    "score": _score,
    "draw": lambda r: r.choice(("2-2", "3-3")),
    "minute": lambda r: _ordinal_number(r.randint(52, 90)),
    "ordinal": lambda r: r.choice(_ORDINALS),
    "last": lambda r: r.choice(_LAST),
    "full_name": lambda r: f"{r.choice(_FIRST)} {r.choice(_LAST)}",
}

#: Article-level names: drawn once per article, so an article keeps talking about the same ones.
_FIXED: dict[str, tuple[str, ...]] = {
    "company": _COMPANIES,
    "bank": _BANKS,
    "research": _RESEARCH,
    "startup": _STARTUPS,
    "outlet": _OUTLETS,
    "index": _INDEXES,
    "party": _PARTIES,
    "team": _TEAMS,
    "agency": _AGENCIES,
    "country": _COUNTRIES,
    "city": _CITIES,
    "region": _REGIONS,
    "river": _RIVERS,
}
_SECOND = {"company2": "company", "party2": "party", "team2": "team"}


class _Slots(dict[str, str]):
    """Values for one article's template fields; numbers are fresh at every use."""

    def __init__(self, rng: random.Random, published: date) -> None:
        super().__init__(
            weekday=_WEEKDAYS[published.weekday()],
            next_weekday=_WEEKDAYS[(published.weekday() + 1) % 7],
            prev_month=_MONTHS[(published.month - 2) % 12],
        )
        self.rng = rng

    def __missing__(self, key: str) -> str:
        fresh = _FRESH.get(key)
        if fresh is not None:
            return fresh(self.rng)
        if key in _SECOND:
            first = self[_SECOND[key]]
            pool = _FIXED[_SECOND[key]]
            value = pool[(pool.index(first) + self.rng.randint(1, len(pool) - 1)) % len(pool)]
        else:
            value = self.rng.choice(_FIXED[key])
        self[key] = value
        return value


@dataclass
class _Speaker:
    full: str
    ref: str
    role: str
    introduced: bool = False


def _fill(template: str, slots: _Slots) -> str:
    return template.format_map(slots)


def _quote(rng: random.Random, text: str, speaker: _Speaker) -> str:
    if not speaker.introduced:
        speaker.introduced = True
        intro = f"{speaker.full}, {speaker.role}"
        if rng.random() < 0.6:
            return f"“{text},” said {intro}."
        return f"“{text},” {intro}, said."
    form = rng.random()
    if form < 0.4:
        return f"“{text},” {speaker.ref} said."
    if form < 0.7:
        return f"{speaker.ref} said: “{text}.”"
    return f"“{text},” {speaker.ref} added."


def _article_body(
    rng: random.Random,
    published: date,
    topic: _Topic,
    story: _Story | None,
    extra: str | None = None,
) -> str:
    """The body of one article (no date header), ending with a newline."""
    slots = _Slots(rng, published)
    leads = story.leads if story else topic.leads
    primary = list(story.bodies) if story else []
    pools = {"topic": topic.bodies, "generic": _GENERIC}
    left = {name: list(pool) for name, pool in pools.items()}
    quotes = list((story.quotes if story else ()) + topic.quotes)
    rng.shuffle(primary)
    for pool in left.values():
        rng.shuffle(pool)
    rng.shuffle(quotes)
    speakers: list[_Speaker] = []
    n_quotes = 0

    def next_sentence() -> str:
        nonlocal n_quotes
        if quotes and rng.random() < _QUOTE_SHARE:
            if len(speakers) < 2 and (not speakers or n_quotes % 2):
                female = rng.random() < 0.5
                first = rng.choice(_FIRST_F if female else _FIRST_M)
                title = "Dr." if rng.random() < 0.2 else ("Ms." if female else "Mr.")
                last = rng.choice(_LAST)
                role = _fill(rng.choice(topic.roles), slots)
                speakers.append(_Speaker(f"{title} {first} {last}", f"{title} {last}", role))
            speaker = speakers[n_quotes % len(speakers)]
            n_quotes += 1
            return _quote(rng, _fill(quotes.pop(), slots), speaker)
        draw = rng.random()
        if primary and draw < _STORY_SENTENCES:
            return _fill(primary.pop(), slots)
        name = "generic" if draw > 1 - _GENERIC_SENTENCES else "topic"
        if not left[name]:  # a long article: start the pool over
            left[name].extend(pools[name])
            rng.shuffle(left[name])
        return _fill(left[name].pop(), slots)

    paragraphs: list[str] = []
    for p in range(rng.randint(3, 8)):
        n = rng.randint(2, 5)
        sentences = [_fill(rng.choice(leads), slots)] if p == 0 else []
        sentences.extend(next_sentence() for _ in range(n - len(sentences)))
        paragraphs.append(" ".join(sentences))
    if extra is not None:
        at = rng.randint(1, len(paragraphs) - 1)
        paragraphs[at] = f"{paragraphs[at]} {_fill(extra, slots)}"
    three = rng.choice((0.0, 0.3, 0.7, 1.0))  # share of paragraph breaks with 3 blank lines
    out = [paragraphs[0]]
    for paragraph in paragraphs[1:]:
        out.append("\n\n\n\n" if rng.random() < three else "\n\n")
        out.append(paragraph)
    text = "".join(out) + "\n"
    if rng.random() < 0.35:  # some feeds send plain ASCII quotes and apostrophes
        # (str.replace is much faster than str.translate on non-ASCII text)
        text = text.replace("“", '"').replace("”", '"').replace("’", "'")
    return text


def _story_weights(day_index: int, days: int) -> list[float]:
    """How strongly each story runs on a day: bumps whose peaks are spread over the period."""
    n = len(_STORIES)
    width = max(0.8, days / n / 1.5)
    weights = []
    for k in range(n):
        center = (k + 0.5) / n * days - 0.5
        weights.append(0.03 + math.exp(-0.5 * ((day_index - center) / width) ** 2))
    return weights


def _pick(
    rng: random.Random, source: str, story_weights: Sequence[float]
) -> tuple[_Topic, _Story | None]:
    affinity = _SOURCE_TOPICS[source]
    if rng.random() < _STORY_SHARE:
        weights = [w * affinity[s.topic] for w, s in zip(story_weights, _STORIES, strict=True)]
        story = rng.choices(_STORIES, weights=weights)[0]
        return _TOPICS[story.topic], story
    names = list(affinity)
    topic = rng.choices(names, weights=[affinity[name] for name in names])[0]
    return _TOPICS[topic], None


def _header(published: date) -> str:
    return f" date {published.isoformat()} "


# --------------------------------------------------------------------------------------------
# Writing a zone
# --------------------------------------------------------------------------------------------


def _check_days(start: date, days: int, *, day_before: bool = False) -> None:
    """Refuse ``days`` consecutive days from ``start`` that are none, or that run past the
    calendar's last day (9999-12-31), before anything is written: a zone ending in year 10000
    stopped with an OverflowError part-way, its first days written (probe V). ``day_before``:
    the zone also dates an article the day before ``start`` (the demo's one-day late arrival)."""
    if days < 1:
        raise ConfigError("days must be at least 1")
    if days - 1 > (date.max - start).days:
        raise ConfigError(
            f"{days} days from {start.isoformat()} run past {date.max.isoformat()}: give at "
            f"most {(date.max - start).days + 1} days, or an earlier start"
        )
    if day_before and start == date.min:
        raise ConfigError(
            f"a one-day sample dates its late arrival the day before {start.isoformat()}, "
            "which the calendar does not have: give a later start"
        )


def _prepare(target: Path) -> None:
    """Create ``target``, or empty it if it is a zone this module wrote; refuse anything else
    (:class:`ConfigError`)."""
    if target.is_symlink():
        raise ConfigError(f"{target} is a symbolic link; refusing to write a sample through it")
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{target} is not a folder; refusing to write a sample there")
    if target.is_dir():
        children = list(target.iterdir())
        if children and not (target / MARKER).is_file():
            raise ConfigError(
                f"{target} is not empty and has no {MARKER} marker: not a generated sample, "
                "refusing to wipe it"
            )
        for child in children:
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    target.mkdir(parents=True, exist_ok=True)
    (target / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")


def _day_folder(day: date) -> str:
    return f"dt={day.isoformat()}"


def _summarise(manifest: SampleManifest) -> SampleManifest:
    kinds = [f.kind for f in manifest.files]
    manifest.expected_duplicates = kinds.count("duplicate")
    manifest.expected_quarantined = kinds.count("empty")
    manifest.expected_articles = (
        len(kinds) - manifest.expected_duplicates - manifest.expected_quarantined
    )
    return manifest


def generate_sample(
    target: Path,
    *,
    days: int = 3,
    start: date = date(2024, 3, 4),
    articles_per_day: int = 12,
    seed: int = 7,
) -> SampleManifest:
    """Write the demo landing zone into ``target`` and describe it.

    Each of ``days`` consecutive days from ``start`` gets ``articles_per_day`` distinct articles,
    spread over :data:`SOURCES`. The first day also holds the messy cases: one article without a
    date header, one encoded in cp1252, one empty file and one exact duplicate of another file.
    The second day (the first, for a one-day zone) holds a late arrival: an article whose header
    date is the day before its folder's.

    ``target`` is created, or wiped and rewritten if it holds the :data:`MARKER` file (or is
    empty); any other existing folder, or days past the calendar's end, raise
    :class:`ConfigError` before anything is written. The same arguments always produce
    byte-identical files.
    """
    _check_days(start, days, day_before=days == 1)
    if articles_per_day < 3:
        raise ConfigError("articles_per_day must be at least 3 (room for the messy cases)")
    _prepare(target)
    rng = random.Random(seed)
    manifest = SampleManifest(root=target)
    seen: set[str] = set()
    late_day = 1 if days > 1 else 0
    late_index = min(3, articles_per_day - 1)
    for day_index in range(days):
        folder = start + timedelta(days=day_index)
        manifest.dates.append(folder)
        weights = _story_weights(day_index, days)
        sequence = dict.fromkeys(SOURCES, 0)
        first_written: SampleFile | None = None
        for i in range(articles_per_day):
            source = SOURCES[i % len(SOURCES)]
            kind: Kind = "article"
            published = folder
            if day_index == 0 and i == 1:
                kind = "undated"
            elif day_index == 0 and i == 2:
                kind = "cp1252"
            elif day_index == late_day and i == late_index:
                published = folder - timedelta(days=1)
            topic, story = _pick(rng, source, weights)
            while True:
                extra = rng.choice(_CP1252_LINES) if kind == "cp1252" else None
                body = _article_body(rng, published, topic, story, extra)
                if kind == "undated":
                    data = body.encode("utf-8")
                elif kind == "cp1252":
                    data = (_header(published) + body).encode("cp1252")
                else:
                    data = (_header(published) + body).encode("utf-8")
                digest = hashlib.sha256(data).hexdigest()
                if digest not in seen:
                    seen.add(digest)
                    break
            entry = _write(target, folder, source, sequence[source], data, digest, kind, published)
            sequence[source] += 1
            manifest.files.append(entry)
            if first_written is None:
                first_written = entry
        if day_index == 0 and first_written is not None:
            # The exact duplicate: the day's first article again, later in the same feed.
            original = first_written
            data = (target / original.path).read_bytes()
            manifest.files.append(
                _write(
                    target,
                    folder,
                    original.source,
                    sequence[original.source],
                    data,
                    original.sha256,
                    "duplicate",
                    original.date,
                )
            )
            sequence[original.source] += 1
            # The empty file: the pipeline must quarantine it (reason ``empty``).
            relative = f"{_day_folder(folder)}/{SOURCES[0]}/{_EMPTY_NAME}"
            (target / relative).write_bytes(b"")
            manifest.files.append(
                SampleFile(
                    relative,
                    folder,
                    "empty",
                    SOURCES[0],
                    folder,
                    hashlib.sha256(b"").hexdigest(),
                    0,
                )
            )
    manifest.files.sort(key=lambda e: e.path)
    return _summarise(manifest)


def _write(
    target: Path,
    folder: date,
    source: str,
    sequence: int,
    data: bytes,
    digest: str,
    kind: Kind,
    published: date,
) -> SampleFile:
    relative = f"{_day_folder(folder)}/{source}/{sequence:03d}_{digest[:16]}.txt"
    path = target / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return SampleFile(relative, published, kind, source, folder, digest, len(data))


def generate_bulk(
    target: Path,
    n_articles: int,
    *,
    start: date,
    days: int,
    seed: int = 7,
) -> SampleManifest:
    """Write ``n_articles`` clean, distinct articles over ``days`` days from ``start``.

    Same article generator and folder layout as :func:`generate_sample`, without messy cases:
    every file is a dated UTF-8 article, spread evenly over the days and round-robin over
    :data:`SOURCES`. Meant for benchmarks (e.g. 100,000 articles over 365 days). ``target`` is
    handled as in :func:`generate_sample`; output is byte-identical for the same arguments.
    """
    _check_days(start, days)
    if n_articles < 0:
        raise ConfigError("n_articles must not be negative")
    _prepare(target)
    rng = random.Random(seed)
    manifest = SampleManifest(root=target)
    seen: set[bytes] = set()
    root = str(target)
    per_day, extra_days = divmod(n_articles, days)
    # Creating files is the bottleneck and overlaps well across threads; every byte and name is
    # decided here, in order, so threads cannot change the output.
    with ThreadPoolExecutor(max_workers=_WRITER_THREADS) as pool:
        pending: deque[Future[None]] = deque()
        batch: list[tuple[str, bytes]] = []
        for day_index in range(days):
            day = start + timedelta(days=day_index)
            manifest.dates.append(day)
            count = per_day + (day_index < extra_days)
            if not count:  # more days than articles: no folders for the days without any
                continue  # (three per day were made, 80,001 for 20,000 days; probe V)
            weights = _story_weights(day_index, days)
            header = _header(day)
            folder = _day_folder(day)
            sequence = dict.fromkeys(SOURCES, 0)
            for i in range(count):
                source = SOURCES[i % len(SOURCES)]
                if not sequence[source]:  # the source's first file of the day: its folder
                    (target / folder / source).mkdir(parents=True, exist_ok=True)
                topic, story = _pick(rng, source, weights)
                while True:
                    data = (header + _article_body(rng, day, topic, story)).encode("utf-8")
                    hashed = hashlib.sha256(data)
                    raw_digest = hashed.digest()
                    if raw_digest not in seen:
                        seen.add(raw_digest)
                        break
                digest = hashed.hexdigest()
                relative = f"{folder}/{source}/{sequence[source]:03d}_{digest[:16]}.txt"
                sequence[source] += 1
                batch.append((f"{root}/{relative}", data))
                manifest.files.append(
                    SampleFile(relative, day, "article", source, day, digest, len(data))
                )
                if len(batch) >= _WRITE_BATCH:
                    pending.append(pool.submit(_write_files, batch))
                    batch = []
                    while len(pending) > 4 * _WRITER_THREADS:  # bound the bytes held in memory
                        pending.popleft().result()
        if batch:
            pending.append(pool.submit(_write_files, batch))
        for future in pending:
            future.result()  # re-raises a failed write
    return _summarise(manifest)


def _write_files(batch: list[tuple[str, bytes]]) -> None:
    for path, data in batch:
        with open(path, "wb") as handle:
            handle.write(data)
