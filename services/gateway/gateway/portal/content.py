"""Public words of the portal, kept as data and taken from the organisation's own pages.

Seed 002 (roles and boundaries of the ten elements) and seed 000 (organisational licences)
are quoted here rather than paraphrased, so a change of wording is one edit in one place.
Prices are never written here: they come from the catalogue and price-book APIs.
"""

from __future__ import annotations

JOURNEY = [
    {
        "code": "get-started",
        "title": "Get started",
        "text": "Entry-level understanding of relationship health: introductions, Getting Started workshops "
        "and the informal I Matter Q.",
        "link": ("portal.elements", "See who does what"),
    },
    {
        "code": "learn-it",
        "title": "Learn it",
        "text": "Online Level 1 Foundation and Level 2 Intermediate learning, with optional study support "
        "to help turn learning into practice.",
        "link": ("portal.catalogue", "Courses and prices"),
    },
    {
        "code": "live-it",
        "title": "Live it",
        # {cases}: " with 1 to 3 cases", training's rule (GET /api/v1/catalogue/package-rules)
        "text": "Applied practice: practitioner roles and small microprojects{cases}, supported by the Progress Tracker.",
        "link": ("portal.calculator", "Cost a practitioner pathway"),
    },
    {
        "code": "support-others",
        "title": "Support others",
        "text": "Lead Professionals hold learning and reflection within their own organisation or community.",
        "link": ("portal.directory", "Find I Matter informed professionals"),
    },
]

# The ten key elements of the system (seed 002), in the seed's order and words.
# `code` is what the "express an interest" form sends as `element`. An element that is a kind of
# organisation names its `kind` instead of a `not_held` list: what it may not buy or hold is
# I Matter Training's policy table (GET /api/v1/catalogue/organisation-kinds), shown from there.
ELEMENTS = [
    {
        "code": "personal_learners",
        "number": 1,
        "title": "Motivated Personal Learners",
        "subtitle": "For personal wellbeing or parenting and caring",
        "role": "Taking responsibility for one's own personal and parenting-caring skills development and "
        "taking action to move things forward.",
        "happens": [
            "Reflection on personal learning priorities",
            "Conversation with personal and family networks",
            "Conversation with local services and providers",
            "Decision about funding own learning",
        ],
        "not_held": ["No automatic entitlement to joined up learning support"],
        "boundary": "Individuals can decide to progress their own skills development and conversations but do not "
        "have control over the provision of local services.",
    },
    {
        "code": "professional_learners",
        "number": 2,
        "title": "Motivated Professional Learners",
        "subtitle": "In education, health or community roles",
        "role": "Taking responsibility for one's own professional skills development and taking action to move "
        "things forward.",
        "happens": [
            "Reflection on professional learning priorities",
            "Conversations with local teams",
            "Conversation with local services and providers and clients and families",
            "Decisions about funding own learning",
            "Decisions about applying for funding support",
        ],
        "not_held": ["No control over the provision of local services"],
        "boundary": "Individual professionals can decide to progress their own skills development and conversations "
        "but do not have control over the provision of local services.",
    },
    {
        "code": "commissioners",
        "number": 3,
        "title": "Commissioners and grant awarding bodies",
        "subtitle": "A system overview of locality needs",
        "role": "Commissioners and grant awarding bodies view locality needs through a system overview with "
        "knowledge of what is already present and working well and understanding of the gaps.",
        "happens": [
            "Decide to become informed",
            "Reflection on locality priorities as a system",
            "Conversation with local providers",
            "Supportive funding to progress professional training",
            "Assistance to funding for targeted needs for families",
        ],
        "kind": "commissioner",  # what it does not hold: training's policy table for this kind
        "boundary": "Commissioners and grant providers support the skills development of the locality system; "
        "they do not hold case management.",
    },
    {
        "code": "primary_care",
        "number": 4,
        "title": "Primary Care Services",
        "subtitle": "Including GPs and health visitors",
        "role": "Primary care provides a safe, legitimising entry point into conversations about relationship "
        "health with local professionals and families.",
        "happens": [
            "Normalising difficulty in relationships",
            "Introducing shared language (I Matter concepts)",
            "Helping people name concerns and priorities",
            "Brief orientation conversations",
            "Early signposting",
        ],
        "kind": "primary_care",  # what it does not hold: training's policy table for this kind
        "boundary": "Primary care opens conversations; it does not own learning journeys.",
    },
    {
        "code": "schools",
        "number": 5,
        "title": "Schools and Nurseries",
        "subtitle": "A trusted community gateway",
        "role": "Schools and nurseries act as a trusted community gateway for parent and carer learning.",
        "happens": [
            "Lead professionals hosting Get Started workshops (supported by local primary care)",
            "Offer option of access to follow-on online learning",
            "Communicating costs clearly and transparently",
            "Supporting parent engagement at scale",
            "Holding short- to medium-term learning data",
        ],
        "kind": "school",  # what it does not hold: training's policy table for this kind
        "boundary": "Schools host learning pathways, not therapeutic services.",
    },
    {
        "code": "community_services",
        "number": 6,
        "title": "Community Services",
        "subtitle": "Relationship health informed complementary services",
        "role": "Community services provide relationship health informed complementary services for parent and "
        "carer learning.",
        "happens": [
            "Professionals progress relationship health and I Matter informed conversations with young "
            "people and families",
            "Offer access to a range of complementary services",
            "Supporting parent engagement in understanding of relationship health informed practice at scale",
        ],
        "kind": "community_service",  # what it does not hold: training's policy table for this kind
        "boundary": "Community organisations facilitate informed discussion of questions of relationship health and "
        "support engagement in learning.",
    },
    {
        "code": "locality_hubs",
        "number": 7,
        "title": "Locality Hubs",
        "subtitle": "Overseen by Relationship Health Matters CIC",
        "role": "Locality hubs provide a neutral, non-clinical container for more structured engagement, overseen "
        "by Relationship Health Matters CIC.",
        "happens": [
            "Opt-in use of priorities consultations",
            "Use of digital tools for baseline and follow-up",
            "Time-limited, purpose-specific support",
            "Coordinated learning for families or professionals",
            "Clear consent and data ownership",
        ],
        "kind": "locality_hub",  # what it does not hold: training's policy table for this kind
        "boundary": "Locality hubs support reflection and planning, not long-term holding.",
    },
    {
        "code": "imatter_training",
        "number": 8,
        "title": "I Matter Training",
        "subtitle": "The framework, learning and quality assurance",
        "role": "I Matter Training provides the theoretical foundation, learning infrastructure, and quality "
        "assurance for the whole system.",
        "happens": [
            "Online Fundamentals and Deep Dive learning for professionals",
            "Lead professional training",
            "Study support models and guidance",
            "Framework ownership and evolution",
            "Standards, ethics, and consistency",
            "Escalation design (not delivery)",
        ],
        "not_held": [
            "Hold individual cases",
            "Act as a referral destination for complexity",
            "Provide ongoing personalised support by default",
            "Replace local capacity",
        ],
        "boundary": "I Matter Training builds system capacity; it does not become the system.",
    },
    {
        "code": "lead_professionals",
        "number": 9,
        "title": "Lead Professionals",
        "subtitle": "Local sustainability",
        "role": "Lead professionals create local sustainability by holding learning and reflection within their "
        "organisation or community.",
        "happens": [
            "Completion of Lead training",
            "Supporting access to online learning",
            "Sometimes providing study support through Fundamentals",
            "Facilitating reflective conversations",
            "Acting as a first point of learning support",
            "Supporting referral to other services when this is appropriate due to additional needs",
        ],
        "not_held": [
            "Replace specialist services",
            "Carry responsibility alone",
            "Provide unlimited support",
        ],
        "boundary": "Leads extend the framework locally; they are not a substitute for services.",
    },
    {
        "code": "families",
        "number": 10,
        "title": "Families and Individuals via organisations",
        "subtitle": "Learners, not patients or cases",
        "role": "Families and individuals engage as learners, not patients or cases.",
        "happens": [
            "Voluntary engagement",
            "Choice about depth and pace",
            "Clear expectations of what learning is (and isn't)",
            "Time-limited support options",
            "Transparency about costs and commitment",
        ],
        "not_held": ["Patient or case status: engagement is learning-led"],
        "boundary": "Engagement is learning-led, not problem-assigned.",
    },
]
ELEMENT_CODES = {e["code"] for e in ELEMENTS}

SYSTEM_PRINCIPLES = [
    "No part of the system passes responsibility downwards without consent.",
    "No part of the system absorbs responsibility upwards by default.",
    "Relationship health is everyone's business — but no one holds it alone.",
]

# The portal's words for each organisation kind. Which kinds exist (and in what order) is
# I Matter Training's policy table (GET /api/v1/catalogue/organisation-kinds); this is wording only.
KIND_LABELS = {
    "school": "School or nursery",
    "primary_care": "Primary care (GP, health visitors)",
    "community_service": "Community service",
    "locality_hub": "Locality hub",
    "commissioner": "Commissioner or grant body",
    "other_service": "Other registered service",
}

# The portal's words for the Lead Professional route, keyed by training's codes. Which routes,
# states, records, courses and audiences exist, and what a route comes after, is training's
# (GET /api/v1/catalogue/lead-professional-routes); these are wording only.
LP_ROUTE_NAMES = {"standard": "Standard", "fast_track": "Fast track"}
LP_ROUTE_NOTES = {"fast_track": " (the outstanding coursework is then required)"}
LP_STATE_LABELS = {
    "applied": "Applied: waiting for the interview",
    "declined": "Declined",
    "trainee": "Trainee year",
    "implementation": "Implementation year",
    "approved": "Approved Lead Professional",
}
LP_RECORD_LABELS = {
    "monthly_development": "Monthly practitioner development session attended",
    "participant_feedback": "Participant feedback gathered",
    "annual_plan": "Annual action plan and budget plan submitted",
    "foundation_a_courses": "Foundation A course supported",
    "linked_cpd": "Linked CPD taken part in",
}
LP_COURSE_LABELS = {"foundation_a1": "Foundation A part 1", "foundation_a2": "Foundation A part 2"}
LP_AUDIENCE_LABELS = {
    "parents": "Parents",
    "professionals": "Professionals",
    "children_and_young_people": "Children and young people (pupils or young people in the school or service)",
}
