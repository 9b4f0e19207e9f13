"""A public-shape dataset for the tag-suggestion benchmark, generated here (no download).

Source shape: NYC Open Data "311 Service Requests from 2010 to Present" (dataset erm2-nwe9), whose
rows pair a category (`complaint_type`, e.g. "HEAT/HOT WATER", "PAINT/PLASTER", "Consumer
Complaint") with a short `descriptor` ("ENTIRE BUILDING", "APARTMENT ONLY") and, in the agencies'
own notes, a line of free text. A caseworker's concern summary is shaped like that free line: a
short, informal sentence in English, Spanish or both, with typos.

Each row here is (text, tag slug) for the demo organisation's tags (caseflow/demo.py). A text is
composed from per-tag phrase banks — several independent wordings of the problem in English and in
Spanish — plus an opener ("Client says", "Caller states", "La clienta dice que"), an optional
descriptor-like detail and duration, a code-switched mix for about one row in ten, typos (a dropped,
doubled or swapped letter) in about one row in five, and 3 % of labels replaced by a random tag (real
tagging is not perfect). Unlike the demo seed (one to three fixed sentences per tag), no text is a
template that repeats verbatim, so held-out accuracy says something about unseen wordings.
"""

from __future__ import annotations

import random

BANKS: dict[str, tuple[list[str], list[str]]] = {
    "no-heat": (
        [
            "no heat in the apartment",
            "radiators are cold",
            "heating not working",
            "no hot water",
            "boiler broken and no heat",
            "apartment freezing, heat off",
            "no heat or hot water in building",
        ],
        [
            "no hay calefaccion",
            "sin calefaccion en el apartamento",
            "no hay agua caliente",
            "los radiadores estan frios",
            "la caldera no funciona",
            "el apartamento esta helado",
        ],
    ),
    "repairs-ignored": (
        [
            "landlord ignores repair requests",
            "leak in ceiling never fixed",
            "super won't fix the sink",
            "broken window not repaired for months",
            "repairs requested many times, nothing done",
            "management does not answer about repairs",
        ],
        [
            "el dueno no hace reparaciones",
            "gotera en el techo sin arreglar",
            "el super no arregla nada",
            "ventana rota hace meses",
            "pidio reparaciones varias veces y nada",
        ],
    ),
    "eviction-threat": (
        [
            "landlord threatening eviction",
            "got an eviction notice",
            "being evicted next month",
            "marshal notice on the door",
            "landlord says we must leave",
            "housing court case for eviction",
        ],
        [
            "amenaza de desalojo",
            "le llego aviso de desalojo",
            "el dueno quiere sacarlos",
            "caso de desalojo en la corte de vivienda",
            "le dijeron que tiene que salir del apartamento",
        ],
    ),
    "rent-increase": (
        [
            "rent went up again",
            "rent increase above the lease",
            "landlord raised rent by 300",
            "cannot afford the new rent",
            "illegal rent hike on rent stabilized unit",
        ],
        [
            "le subieron la renta",
            "aumento de renta muy alto",
            "no puede pagar la renta nueva",
            "el dueno subio el alquiler",
        ],
    ),
    "mold": (
        [
            "mold in the bathroom",
            "mice and roaches everywhere",
            "black mold on walls",
            "bed bugs in the apartment",
            "pest problem, exterminator never came",
        ],
        [
            "moho en el bano",
            "ratones y cucarachas",
            "hongo negro en las paredes",
            "chinches en la cama",
            "plaga de ratas en el edificio",
        ],
    ),
    "overcrowding": (
        [
            "family of six in one bedroom",
            "too many people in the apartment",
            "doubled up with relatives",
            "sleeping in the living room, no space",
        ],
        [
            "seis personas en un cuarto",
            "viven muy apretados",
            "comparten apartamento con otra familia",
            "duermen en la sala, no hay espacio",
        ],
    ),
    "benefits-delay": (
        [
            "snap application pending for weeks",
            "cash assistance application stalled",
            "benefits application still not processed",
            "waiting months for the benefits interview",
            "medicaid application delayed",
        ],
        [
            "la solicitud de cupones sigue pendiente",
            "aplico a beneficios hace meses y nada",
            "espera la entrevista de beneficios",
            "la solicitud de asistencia esta atrasada",
        ],
    ),
    "benefits-cut": (
        [
            "benefits stopped without notice",
            "snap was cut",
            "food stamps cut off",
            "cash assistance closed suddenly",
            "lost benefits after missed call",
        ],
        [
            "le cortaron los cupones",
            "le quitaron los beneficios sin aviso",
            "cerraron su caso de asistencia",
            "perdio los beneficios",
        ],
    ),
    "snap-recert": (
        [
            "snap recertification papers lost",
            "recert documents not received by office",
            "recertification interview never scheduled",
            "renewal paperwork for food stamps lost",
        ],
        [
            "perdieron los papeles de recertificacion",
            "la recertificacion de cupones no llego",
            "no le dieron cita para renovar los cupones",
        ],
    ),
    "wage-theft": (
        [
            "employer did not pay wages",
            "not paid for last two weeks",
            "paid below minimum wage",
            "no overtime pay",
            "boss keeps tips",
            "paycheck bounced",
        ],
        [
            "el patron no le pago",
            "no le pagaron las ultimas semanas",
            "le pagan menos del minimo",
            "no le pagan horas extras",
            "le deben el sueldo",
        ],
    ),
    "unsafe-work": (
        [
            "injured at work",
            "no safety equipment at the job",
            "unsafe conditions at warehouse",
            "hurt on the job, no gloves or helmet",
        ],
        ["se lastimo en el trabajo", "no le dan equipo de seguridad", "condiciones peligrosas en el almacen"],
    ),
    "job-loss": (
        ["lost job", "fired after asking for sick leave", "laid off last week", "let go without reason"],
        ["perdio el trabajo", "lo despidieron", "la botaron del trabajo sin razon"],
    ),
    "no-insurance": (
        ["no health insurance", "lost medicaid coverage", "uninsured and needs a doctor", "cannot get health coverage"],
        ["no tiene seguro medico", "perdio el seguro de salud", "sin seguro para ir al doctor"],
    ),
    "medical-debt": (
        [
            "hospital bill sent to collections",
            "medical debt piling up",
            "ambulance bill cannot pay",
            "collections calling about er visit",
        ],
        ["deuda del hospital", "la cuenta del hospital esta en cobranza", "no puede pagar la factura medica"],
    ),
    "mental-health-access": (
        [
            "waiting list for counseling",
            "cannot find a therapist",
            "no mental health appointment for months",
            "needs psychiatrist, none available",
        ],
        ["no consigue terapia", "lista de espera para consejeria", "necesita psicologo y no hay citas"],
    ),
    "visa-backlog": (
        [
            "asylum case pending for years",
            "visa application stuck",
            "work permit renewal delayed",
            "green card backlog",
        ],
        ["caso de asilo pendiente hace anos", "la visa esta atrasada", "el permiso de trabajo no llega"],
    ),
    "ice-fear": (
        [
            "afraid of immigration enforcement",
            "scared to go out because of ice",
            "fear of deportation keeps them home",
            "ice agents seen near school",
        ],
        ["miedo a la migra", "tiene miedo de salir por inmigracion", "miedo a la deportacion"],
    ),
    "language-access": (
        [
            "no interpreter offered",
            "office only speaks english",
            "no translation at the hearing",
            "letters only in english, cannot read them",
        ],
        ["no le dieron interprete", "nadie habla espanol en la oficina", "las cartas solo vienen en ingles"],
    ),
    "school-discipline": (
        [
            "child suspended from school",
            "son keeps getting suspended",
            "school expelled daughter",
            "kid sent home for minor things",
        ],
        ["suspendieron al nino de la escuela", "expulsaron a su hija", "la escuela castiga al nino siempre"],
    ),
    "iep-denied": (
        [
            "school refuses special education evaluation",
            "iep services denied",
            "no speech therapy at school",
            "special ed services not provided",
        ],
        [
            "la escuela no evalua al nino para educacion especial",
            "le negaron el iep",
            "no le dan terapia del habla en la escuela",
        ],
    ),
    "court-fees": (
        ["cannot pay court fees", "license suspended over fines", "owes court fines", "tickets and fees piling up"],
        ["no puede pagar las multas de la corte", "le suspendieron la licencia por multas", "debe multas"],
    ),
    "police-stop": (
        [
            "stopped by police again",
            "police harassment on the block",
            "frisked on the way to work",
            "officers stop him every week",
        ],
        ["la policia lo para siempre", "acoso de la policia", "lo registraron camino al trabajo"],
    ),
    "record-barrier": (
        [
            "job offer withdrawn after background check",
            "old conviction blocks housing",
            "criminal record keeps him from work",
            "denied apartment because of record",
        ],
        [
            "le quitaron la oferta por antecedentes",
            "su record criminal no lo deja trabajar",
            "le negaron el apartamento por antecedentes",
        ],
    ),
    "utility-shutoff": (
        ["electricity shut off", "power cut for nonpayment", "gas shut off", "con ed turned off the lights"],
        ["le cortaron la luz", "le cortaron el gas", "sin electricidad por falta de pago"],
    ),
    "high-utility-bill": (
        ["gas bill doubled", "electric bill too high", "utility bill unaffordable", "huge con ed bill"],
        ["la factura de luz esta muy alta", "el gas cuesta el doble", "no puede pagar la cuenta de luz"],
    ),
    "bus-cuts": (
        ["bus route was cut", "bus no longer runs to clinic", "buses cut at night", "route eliminated"],
        ["cortaron la ruta del autobus", "ya no pasa la guagua", "no hay bus por la noche"],
    ),
    "no-car-access": (
        [
            "no way to get to appointments",
            "cannot reach the pantry without a car",
            "no transportation",
            "too far to walk to services",
        ],
        ["no tiene como llegar a las citas", "no tiene carro para ir", "no hay transporte"],
    ),
    "food-insecurity": (
        ["running out of food", "not enough food for the kids", "family skipping meals", "fridge empty"],
        ["no les alcanza la comida", "no hay comida para los ninos", "la familia no come bien"],
    ),
    "pantry-hours": (
        ["pantry closes before shift ends", "pantry hours do not fit work", "cannot get to pantry on time"],
        ["la despensa cierra antes de salir del trabajo", "el horario de la despensa no le sirve"],
    ),
    "childcare-cost": (
        ["childcare too expensive", "daycare costs half the income", "cannot afford childcare"],
        ["la guarderia es muy cara", "no puede pagar el cuidado de ninos"],
    ),
    "childcare-waitlist": (
        ["on childcare voucher waitlist", "waiting for daycare slot", "no childcare seat available"],
        ["en lista de espera para guarderia", "espera un cupo de cuidado infantil"],
    ),
    "domestic-violence": (
        ["violence at home", "partner hits her", "afraid of her husband", "abuse at home, needs safety plan"],
        ["violencia en la casa", "su pareja la golpea", "tiene miedo de su esposo"],
    ),
    "unsafe-street": (
        [
            "broken streetlights on the block",
            "street unsafe at night",
            "shootings near the building",
            "dark corner, afraid to walk",
        ],
        ["las luces de la calle no sirven", "la calle es peligrosa de noche", "balaceras cerca del edificio"],
    ),
}
OPENERS = (
    ["", "", "Client says ", "Caller states ", "Tenant reports ", "Reports ", "Mother says "],
    ["", "", "La clienta dice que ", "El cliente dice que ", "Reporta que ", "Dice que "],
)
DETAILS = (
    [
        "",
        "",
        "",
        " in the whole building",
        " apartment only",
        " with kids at home",
        " again",
        " for {n} weeks",
        " since {month}",
        ", very stressed",
    ],
    [
        "",
        "",
        "",
        " en todo el edificio",
        " solo en su apartamento",
        " con ninos en casa",
        " otra vez",
        " hace {n} semanas",
        " desde {month}",
        ", muy preocupada",
    ],
)
MONTHS = (["January", "March", "October", "December"], ["enero", "marzo", "octubre", "diciembre"])


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 6:
        return text
    i = rng.randrange(1, len(text) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def row(slug: str, rng: random.Random) -> str:
    lang = 1 if rng.random() < 0.3 else 0
    phrase = rng.choice(BANKS[slug][lang])
    if rng.random() < 0.1:  # code-switching: the problem in one language, the framing in the other
        lang = 1 - lang
    detail = rng.choice(DETAILS[lang]).format(n=rng.randint(2, 9), month=rng.choice(MONTHS[lang]))
    text = rng.choice(OPENERS[lang]) + phrase + detail
    if rng.random() < 0.2:
        text = _typo(text, rng)
    if rng.random() < 0.3:
        text = text.capitalize()
    return text


def generate(n: int, seed: int = 311, noise: float = 0.03) -> list[tuple[str, str]]:
    """n (text, tag) rows; tag frequencies follow a long tail, as real concerns do."""
    rng = random.Random(seed)
    slugs = sorted(BANKS)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(slugs))]
    rng.shuffle(weights)
    out = []
    for _ in range(n):
        slug = rng.choices(slugs, weights)[0]
        label = rng.choice(slugs) if rng.random() < noise else slug
        out.append((row(slug, rng), label))
    return out
