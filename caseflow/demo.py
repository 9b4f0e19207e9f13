"""The demo organisation for `seed-demo` and `make run`."""

from __future__ import annotations

from caseflow.accounts import services as accounts
from caseflow.models import Program, ProgramName, Tag, TagName, User

DEMO_PASSWORD = "caseflow-demo-2026"  # noqa: S105  (printed to whoever runs the demo)

PROGRAMS = [
    ("housing", "Housing Assistance"),
    ("food-pantry", "Food Pantry"),
    ("immigration-legal", "Immigration Legal Services"),
    ("benefits", "Benefits Enrollment"),
    ("workforce", "Workforce Development"),
    ("family-services", "Family Services"),
]

TAGS = [
    ("no-heat", "No heat or hot water", "Housing"),
    ("repairs-ignored", "Repairs ignored by landlord", "Housing"),
    ("eviction-threat", "Eviction threat", "Housing"),
    ("rent-increase", "Rent increase", "Housing"),
    ("mold", "Mold or pests", "Housing"),
    ("overcrowding", "Overcrowding", "Housing"),
    ("benefits-delay", "Benefits application delayed", "Income & Benefits"),
    ("benefits-cut", "Benefits cut or stopped", "Income & Benefits"),
    ("snap-recert", "SNAP recertification problems", "Income & Benefits"),
    ("wage-theft", "Wage theft", "Employment"),
    ("unsafe-work", "Unsafe working conditions", "Employment"),
    ("job-loss", "Job loss", "Employment"),
    ("no-insurance", "No health insurance", "Health"),
    ("medical-debt", "Medical debt", "Health"),
    ("mental-health-access", "Cannot get mental health care", "Health"),
    ("visa-backlog", "Visa or asylum backlog", "Immigration"),
    ("ice-fear", "Fear of immigration enforcement", "Immigration"),
    ("language-access", "No interpreter offered", "Immigration"),
    ("school-discipline", "School discipline", "Education"),
    ("iep-denied", "Special-education services denied", "Education"),
    ("court-fees", "Court fines and fees", "Justice"),
    ("police-stop", "Police stop or harassment", "Justice"),
    ("record-barrier", "Criminal record barrier", "Justice"),
    ("utility-shutoff", "Utility shut-off", "Utilities"),
    ("high-utility-bill", "Unaffordable utility bill", "Utilities"),
    ("bus-cuts", "Bus route cut", "Transportation"),
    ("no-car-access", "No way to reach services", "Transportation"),
    ("food-insecurity", "Not enough food", "Food"),
    ("pantry-hours", "Pantry hours do not fit work", "Food"),
    ("childcare-cost", "Childcare unaffordable", "Childcare"),
    ("childcare-waitlist", "Childcare waitlist", "Childcare"),
    ("domestic-violence", "Domestic violence", "Safety"),
    ("unsafe-street", "Unsafe street or lighting", "Safety"),
]

# The demo's taxonomy in Spanish (tag_names / program_names): what Spanish-speaking staff see.
SPANISH_PROGRAMS = {
    "housing": "Ayuda con la vivienda",
    "food-pantry": "Banco de alimentos",
    "immigration-legal": "Servicios legales de inmigración",
    "benefits": "Inscripción en beneficios",
    "workforce": "Desarrollo laboral",
    "family-services": "Servicios para familias",
}
SPANISH_TAGS = {
    "no-heat": "Sin calefacción o agua caliente",
    "repairs-ignored": "El dueño no hace las reparaciones",
    "eviction-threat": "Amenaza de desalojo",
    "rent-increase": "Aumento del alquiler",
    "mold": "Moho o plagas",
    "overcrowding": "Hacinamiento",
    "benefits-delay": "Solicitud de beneficios demorada",
    "benefits-cut": "Beneficios recortados o suspendidos",
    "snap-recert": "Problemas con la recertificación de SNAP",
    "wage-theft": "Robo de salario",
    "unsafe-work": "Condiciones de trabajo peligrosas",
    "job-loss": "Pérdida del empleo",
    "no-insurance": "Sin seguro médico",
    "medical-debt": "Deudas médicas",
    "mental-health-access": "No consigue atención de salud mental",
    "visa-backlog": "Atraso en la visa o el asilo",
    "ice-fear": "Miedo a las autoridades de inmigración",
    "language-access": "No le ofrecieron intérprete",
    "school-discipline": "Disciplina escolar",
    "iep-denied": "Le negaron servicios de educación especial",
    "court-fees": "Multas y costos judiciales",
    "police-stop": "Detención o acoso policial",
    "record-barrier": "Barreras por antecedentes penales",
    "utility-shutoff": "Corte de servicios públicos",
    "high-utility-bill": "Factura de servicios que no puede pagar",
    "bus-cuts": "Eliminaron una ruta de autobús",
    "no-car-access": "No tiene cómo llegar a los servicios",
    "food-insecurity": "No le alcanza la comida",
    "pantry-hours": "El horario del banco de alimentos no le sirve por el trabajo",
    "childcare-cost": "Cuidado infantil demasiado caro",
    "childcare-waitlist": "Lista de espera para cuidado infantil",
    "domestic-violence": "Violencia doméstica",
    "unsafe-street": "Calle peligrosa o sin alumbrado",
}

USERS = [
    ("caseworker@demo.caseflow.test", "Carmen Caseworker", ["caseworker"]),
    ("caseworker2@demo.caseflow.test", "Kwame Caseworker", ["caseworker"]),
    ("organizer@demo.caseflow.test", "Olu Organizer", ["organizer"]),
    ("director@demo.caseflow.test", "Dana Director", ["director"]),
    ("admin@demo.caseflow.test", "Ari Admin", ["admin"]),
]


def seed_taxonomy(session) -> tuple[list[Program], list[Tag]]:
    programs = [Program(slug=s, name=n) for s, n in PROGRAMS]
    tags = [Tag(slug=s, name=n, category=c) for s, n, c in TAGS]
    session.add_all(programs + tags)
    session.flush()
    session.add_all(ProgramName(program_id=p.id, locale="es", name=SPANISH_PROGRAMS[p.slug]) for p in programs)
    session.add_all(TagName(tag_id=t.id, locale="es", name=SPANISH_TAGS[t.slug]) for t in tags)
    session.flush()
    return programs, tags


def seed(concern_count: int = 3000) -> list[User]:
    from caseflow.extensions import db

    programs, tags = seed_taxonomy(db.session)
    users = [accounts.create_user(None, e, r, DEMO_PASSWORD, n) for e, n, r in USERS]
    from caseflow.campaigns.demo import seed_campaigns
    from caseflow.concerns.demo import seed_concerns

    seed_concerns(users, programs, tags, concern_count)
    seed_campaigns(users, programs, tags)
    from caseflow.measures.demo import seed_measures

    seed_measures(next(u for u in users if u.has_role("director")))
    from caseflow.committee.demo import seed_organizing

    seed_organizing(users)
    seed_reflection(users)
    return users


def seed_reflection(users: list[User]) -> None:
    """Self-assessments for the last two quarters; last quarter's summary signed off, this one's draft."""
    from caseflow.dates import today
    from caseflow.reflection import self_assessment
    from caseflow.reflection.services import ensure_summary, set_commentary, sign_off
    from caseflow.reflection.summary import today_quarter

    director = next(u for u in users if u.has_role("director"))
    organizer = next(u for u in users if u.has_role("organizer"))
    current = today_quarter(today())
    last = current.previous()
    keys = self_assessment.ITEM_KEYS
    before = {k: (i % 3) for i, k in enumerate(keys)}
    after = {k: min(3, v + (1 if i % 2 else 0)) for i, (k, v) in enumerate(before.items())}
    self_assessment.submit(director, last.previous().label, before, anonymous=False)
    self_assessment.submit(director, last.label, after, anonymous=False)
    self_assessment.submit(organizer, last.label, before, anonymous=True)
    summary, _ = ensure_summary(last, director)
    set_commentary(
        director,
        summary,
        "Heat complaints in 11226 and 11212 drove the quarter; the tenants' testimony moved the council. "
        "Benefits delays are rising across two programs and need a campaign of their own.",
        summary.version,
    )
    sign_off(director, summary, summary.version)
    ensure_summary(current, director)
