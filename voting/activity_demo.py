"""Demo activity data consistent with the framework's two example tables (technical appendix 1).

The framework (section 3) prints "Main Providers for a CCG" for Alpha CCG (99X) and "Main commissioning
CCGs for a Provider" for Oscar NHS FT (RZX). Every cell of both comes out of the rows below exactly;
the rest is invented so that the printed shares work out:

* Oscar's admissions from all CCGs total 90,600 (Alpha's 28,470 is 31.4% of it) and its outpatients
  880,000; Papa's admissions total 104,400 (23.4%), Quebec's 51,400 (2.0%), Romeo's 3,100 (21.0%);
* Bravo's, Charlie's, Delta's and Echo's admissions total 63,740, 67,200, 81,000 and 79,600, so
  Oscar's share of each is 39.7%, 16.2%, 5.1% and 4.4%;
* Alpha's seven smaller providers (Sierra to Zulu) make up its "Other" row, and Foxtrot to Kilo,
  each with fewer admissions at Oscar than Echo, make up Oscar's.

Tango NHS Trust serves all eleven CCGs evenly (linked); Romeo NHS FT is a small, inpatient-only
provider where some CCGs have a far smaller share than others (specialist low volume); Oscar, Papa
and Sierra are shared main providers (core). Pure Python: `activity_csv()` is what gets imported.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from voting.models import Event

HEADER = (
    "ccg_code",
    "ccg_name",
    "provider_code",
    "provider_name",
    "admissions",
    "elective_admissions",
    "outpatients",
    "first_outpatients",
)

CCGS: dict[str, str] = {
    "Alpha": "99X",
    "Bravo": "99W",
    "Charlie": "99V",
    "Delta": "99U",
    "Echo": "99T",
    "Foxtrot": "99S",
    "Golf": "99R",
    "Hotel": "99Q",
    "India": "99P",
    "Juliet": "99N",
    "Kilo": "99M",
}
PROVIDERS: dict[str, tuple[str, str]] = {
    "Oscar": ("RZX", "Oscar NHS FT"),
    "Papa": ("RZP", "Papa NHS FT"),
    "Quebec": ("RZQ", "Quebec NHS Trust"),
    "Romeo": ("RZR", "Romeo NHS FT"),
    "Sierra": ("RZS", "Sierra NHS FT"),
    "Tango": ("RZT", "Tango NHS Trust"),
    "Uniform": ("RZU", "Uniform NHS FT"),
    "Victor": ("RZV", "Victor NHS Trust"),
    "Whiskey": ("RZW", "Whiskey NHS FT"),
    "Yankee": ("RZY", "Yankee NHS FT"),
    "Zulu": ("RZZ", "Zulu NHS Trust"),
}

# (CCG, provider, admissions, elective admissions, outpatients, first outpatients)
ROWS: tuple[tuple[str, str, int, int, int, int], ...] = (
    ("Alpha", "Oscar", 28470, 11892, 274659, 84454),
    ("Alpha", "Papa", 24431, 10590, 230019, 69854),
    ("Alpha", "Quebec", 1028, 377, 4892, 1971),
    ("Alpha", "Romeo", 651, 323, 0, 0),
    ("Alpha", "Sierra", 640, 330, 5200, 1250),
    ("Alpha", "Tango", 630, 320, 5100, 1240),
    ("Alpha", "Uniform", 620, 310, 4900, 1200),
    ("Alpha", "Victor", 600, 300, 4800, 1180),
    ("Alpha", "Whiskey", 590, 310, 4700, 1150),
    ("Alpha", "Yankee", 560, 290, 4600, 1120),
    ("Alpha", "Zulu", 508, 286, 4486, 1086),
    ("Bravo", "Oscar", 25303, 11259, 226096, 71116),
    ("Bravo", "Papa", 30000, 13500, 240000, 72000),
    ("Bravo", "Quebec", 5000, 2250, 40000, 12000),
    ("Bravo", "Romeo", 1200, 540, 0, 0),
    ("Bravo", "Sierra", 1000, 450, 8000, 2400),
    ("Bravo", "Tango", 610, 274, 4880, 1464),
    ("Bravo", "Victor", 627, 282, 5016, 1504),
    ("Charlie", "Oscar", 10884, 6825, 113709, 32945),
    ("Charlie", "Papa", 20000, 9000, 160000, 48000),
    ("Charlie", "Quebec", 30000, 13500, 240000, 72000),
    ("Charlie", "Romeo", 900, 405, 0, 0),
    ("Charlie", "Tango", 620, 279, 4960, 1488),
    ("Charlie", "Uniform", 2500, 1125, 20000, 6000),
    ("Charlie", "Whiskey", 2296, 1033, 18368, 5510),
    ("Delta", "Oscar", 4128, 2665, 50079, 12649),
    ("Delta", "Papa", 15000, 6750, 120000, 36000),
    ("Delta", "Quebec", 10000, 4500, 80000, 24000),
    ("Delta", "Romeo", 200, 90, 0, 0),
    ("Delta", "Sierra", 48000, 21600, 384000, 115200),
    ("Delta", "Tango", 600, 270, 4800, 1440),
    ("Delta", "Yankee", 3072, 1382, 24576, 7372),
    ("Echo", "Oscar", 3505, 2144, 38714, 10367),
    ("Echo", "Papa", 9000, 4050, 72000, 21600),
    ("Echo", "Quebec", 5372, 2417, 42976, 12892),
    ("Echo", "Romeo", 60, 27, 0, 0),
    ("Echo", "Sierra", 40000, 18000, 320000, 96000),
    ("Echo", "Tango", 640, 288, 5120, 1536),
    ("Echo", "Uniform", 18000, 8100, 144000, 43200),
    ("Echo", "Zulu", 3023, 1360, 24184, 7255),
    ("Foxtrot", "Oscar", 3400, 1500, 33000, 10000),
    ("Foxtrot", "Papa", 5969, 2686, 47752, 14325),
    ("Foxtrot", "Romeo", 40, 18, 0, 0),
    ("Foxtrot", "Tango", 590, 265, 4720, 1416),
    ("Foxtrot", "Victor", 1500, 675, 12000, 3600),
    ("Foxtrot", "Whiskey", 20000, 9000, 160000, 48000),
    ("Golf", "Oscar", 3300, 1450, 32000, 9600),
    ("Golf", "Romeo", 30, 13, 0, 0),
    ("Golf", "Tango", 605, 272, 4840, 1452),
    ("Golf", "Whiskey", 25000, 11250, 200000, 60000),
    ("Hotel", "Oscar", 3210, 1400, 31000, 9300),
    ("Hotel", "Romeo", 19, 8, 0, 0),
    ("Hotel", "Tango", 615, 276, 4920, 1476),
    ("Hotel", "Victor", 1200, 540, 9600, 2880),
    ("Hotel", "Yankee", 30000, 13500, 240000, 72000),
    ("India", "Oscar", 3100, 1350, 29000, 8700),
    ("India", "Tango", 600, 270, 4800, 1440),
    ("India", "Yankee", 22000, 9900, 176000, 52800),
    ("Juliet", "Oscar", 2900, 1300, 28000, 8400),
    ("Juliet", "Tango", 595, 267, 4760, 1428),
    ("Juliet", "Zulu", 26000, 11700, 208000, 62400),
    ("Kilo", "Oscar", 2400, 1100, 23743, 7100),
    ("Kilo", "Tango", 585, 263, 4680, 1404),
    ("Kilo", "Zulu", 24000, 10800, 192000, 57600),
)


def activity_rows() -> list[tuple[str, str, str, str, int, int, int, int]]:
    """The demo rows in import order: (ccg_code, ccg_name, provider_code, provider_name, four counts)."""
    result = []
    for ccg, provider, admissions, elective, outpatients, first in ROWS:
        code, name = PROVIDERS[provider]
        result.append((CCGS[ccg], f"NHS {ccg} CCG", code, name, admissions, elective, outpatients, first))
    return result


def activity_csv() -> bytes:
    """The demo activity file as UTF-8 CSV, in the import's long form."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(activity_rows())
    return buffer.getvalue().encode("utf-8")


def load_demo_activity(event: Event) -> int:
    """Import the demo activity into an event (for `voting demo`); returns the number of rows."""
    from voting.services.activity import import_activity

    count, problems = import_activity(event, activity_csv())
    if problems:
        raise RuntimeError(f"demo activity did not import: {problems}")
    return count
