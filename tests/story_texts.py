"""Short news texts written for these tests (no third-party copy)."""

FLOOD = [
    "Heavy rain swept across the Valdoria river basin overnight, forcing the evacuation of "
    "about 4,200 residents from low-lying districts of Port Elsmere, regional officials said.",
    "The river rose 3.8 metres above its usual level by dawn, the highest reading since "
    "records began at the Elsmere gauge in 1961, according to the Valdoria water authority.",
    "Emergency crews in orange boats ferried families from flooded streets to the municipal "
    "sports hall, where volunteers handed out blankets, bottled water and hot soup.",
    "Governor Ilse Marquand declared a state of emergency for three districts and asked the "
    "national government for army engineers to reinforce the northern embankment.",
    "Forecasters expect another 60 millimetres of rain before Thursday, and warned that the "
    "crest of the flood would reach the coastal town of Brannock late on Wednesday.",
    "Schools across the region will stay closed for the rest of the week, the education "
    "office said, and two regional rail lines were suspended after tracks were washed out.",
]

COURT = [
    "A court in Harlow City sentenced former transport minister Teodor Vasek to nine years in "
    "prison on Tuesday for taking bribes in exchange for a motorway construction contract.",
    "Judge Amalia Ruiz said the evidence showed Vasek accepted 2.3 million in cash and a villa "
    "on the coast from the Kestrel Group, which won the 2019 tender for the ring road.",
    "Vasek, who denied all charges throughout the eleven-month trial, sat silently as the "
    "verdict was read and his lawyers said they would appeal within the fourteen-day limit.",
    "Two executives of the Kestrel Group received suspended sentences after cooperating with "
    "prosecutors, and the company was fined and barred from public tenders for five years.",
    "The case was the largest corruption trial in the country since the anti-graft office "
    "was founded in 2012, and opposition parties called for a wider inquiry into the tender.",
]

COURT_LOOKALIKE = [
    "A court in Pellmont sentenced the former mayor Rosa Gavril to six years in prison on "
    "Monday for embezzling funds meant for the renovation of the city's tram network.",
    "Judge Oskar Lind said Gavril diverted 800,000 through a consultancy run by her brother-in-"
    "law, Milan Dorsey, between 2016 and 2018, according to the written judgment.",
    "Gavril said she was innocent and would appeal, while prosecutors said they were "
    "satisfied with the sentence handed down by the Pellmont regional court.",
    "Dorsey received a four-year sentence, and the city council said it would try to recover "
    "the money through a civil claim against both of them.",
    "The tram renovation, originally due in 2019, is still unfinished, and commuters have "
    "complained for years about delays and closed lines across the eastern districts.",
]

MATCH = [
    "Harbour City beat Northgate Rovers 3-1 on Saturday to move top of the league with four "
    "matches left, thanks to two second-half goals from striker Jonas Ekdahl.",
    "Rovers had led through an early penalty from captain Miguel Ferraz, but Ekdahl levelled "
    "just after the break with a header from a corner taken by Sami Okonjo.",
    "Ekdahl then curled in a free kick in the 71st minute, and substitute Lars Brun sealed the "
    "win in stoppage time as the home crowd of 38,000 celebrated.",
    "Harbour City coach Dana Whitlock said the title was not won yet, with trips to the two "
    "teams directly below them still to come before the end of the season.",
]


def html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)

# Two fires at two branches of one supermarket chain on the same night: look-alike events
# whose first reports are close enough to land in one story before either has grown.
_FIRE_SHARED = [
    "More than fifty firefighters with ten engines fought the blaze through the night.",
    "Residents of nearby streets were moved from their homes as a precaution, police said.",
    "The chain said all staff were safe and customers would be told when the store reopens.",
    "Police said the fire was being treated as potentially suspicious and asked for witnesses.",
]
FIRE_BRANSTEAD = [
    "A fire gutted the Hollins supermarket on Market Row in Branstead late on Friday.",
    "Flames were first seen on the roof of the Branstead store at about nine in the evening.",
    "Branstead councillor Maud Ferriby said the town had lost its only large food shop.",
    "Surrey fire chief Owen Laszlo said the Branstead roof had collapsed by midnight.",
    "Traders on Market Row in Branstead said smoke damage had closed six shops as well.",
    "The Branstead store opened in 1987 and employed ninety people from the town.",
]
FIRE_WELLMORE = [
    "A blaze badly damaged the Hollins supermarket on Quay Street in Wellmore early on Sunday.",
    "Devon crews were called to the Wellmore store at six in the morning by a passing cyclist.",
    "Wellmore mayor Priya Tallis said the Quay Street shop was the heart of the town centre.",
    "Station officer Bram Keddle said the Wellmore fire started in a storeroom at the back.",
    "Quay Street in Wellmore stayed closed to traffic while engineers checked the walls.",
    "The Wellmore branch was rebuilt in 2009 after floods and employs sixty staff.",
]


def fire_report(event: list[str], number: int, *, shared: int = 2) -> tuple[str, str]:
    """One agency's report of a fire: four of the event's own six sentences, a different
    four for each number below 15, and ``shared`` lines any fire report says."""
    own = [event[k] for k in range(len(event)) if k not in _LEFT_OUT[number % len(_LEFT_OUT)]]
    common = [_FIRE_SHARED[(number + k) % len(_FIRE_SHARED)] for k in range(shared)]
    return event[0][:70], "\n".join([own[0], *common, *own[1:]])


_LEFT_OUT = [(a, b) for a in range(6) for b in range(a + 1, 6)]

# Two earthquakes in two countries, reported in the words every earthquake is reported
# in: another story of the same kind, the SEE ALSO a reader of either wants.
QUAKE_TARVEN = [
    "A magnitude 6.4 earthquake struck the mountain province of Tarven early on Sunday, "
    "collapsing dozens of houses and killing at least 14 people, the civil defence agency said.",
    "The quake's epicentre was 22 kilometres north of the town of Oskarvik at a depth of ten "
    "kilometres, according to the national seismology institute.",
    "Rescue teams with sniffer dogs searched the rubble of collapsed buildings through the "
    "night as strong aftershocks shook the valley and damaged roads slowed the rescuers.",
    "Governor Petra Halvard said field hospitals and tents had been sent to the villages "
    "worst hit by the earthquake, where thousands spent the night outdoors.",
]
QUAKE_MIRENA = [
    "A magnitude 5.9 earthquake shook the coastal region of Mirena on Thursday, killing at "
    "least nine people in the port of Calvessa, the interior ministry said.",
    "Seismologists at Calvessa university located the epicentre offshore and counted more than "
    "30 aftershocks by evening, several strong enough to send residents into the streets.",
    "Rescue teams searched the rubble of collapsed buildings for survivors through the night, "
    "and the ferry to the islands was suspended while engineers inspected the piers.",
    "Interior minister Dario Montel promised emergency funds for the families who lost their "
    "homes, and schools in the region will stay closed until their walls are checked.",
]


# Two emergency patches of one browser five years apart, told in the same words: each
# report names five of the same eight things; only the year of its advisory differs.
_PATCH_NAMES = ["Internet", "Explorer", "Windows", "Redmond", "Budd", "Kandek", "Vista",
                "Outlook"]


def patch_report(number: int, year: str) -> tuple[str, str]:
    """(headline, body) of one report of the emergency patch of ``year``."""
    names = [_PATCH_NAMES[(3 * number + k) % len(_PATCH_NAMES)] for k in range(5)]
    body = [
        "The software maker released an emergency patch on Wednesday for a flaw that lets "
        f"hackers take over computers, its advisory for {year} said.",
        f"The fix covers {names[0]}, {names[1]}, {names[2]}, {names[3]} and {names[4]}, the "
        "statement added.",
        "Users were urged to install the update as soon as possible because attacks had "
        "already been seen.",
    ]
    return f"Emergency patch for browser flaw ({year[-2:]}{number})", "\n".join(body)
