"""The business rule behind each unique constraint, for the 409 a request gets when another
request wrote the same thing first (two purchases of one licence type at once, one fund award
spent twice). `"table(columns)": (code, rule)`; read by imatter_shared.web.errors."""

CONFLICT_RULES = {
    "licences(organisation_id,type)": (
        "licence_already_active",
        "an organisation holds one licence of each type: renew it instead",
    ),
    "packages(fund_award_id)": ("fund_award", "a fund award pays for one package only"),
    "certifications(person_id,role)": ("certified_once", "a person is certified in a role once"),
    "directory_entries(person_id)": ("one_directory_entry", "a person has one directory entry"),
    "people(user_id)": ("one_person_per_user", "a signed-in user is one person"),
    "invoices(order_id)": ("one_invoice_per_order", "an order has one invoice"),
    "payment_events(event_id)": ("payment_event_once", "a payment provider's event is applied once"),
    "q_registrations(order_id)": (
        "one_registration_per_order",
        "an order books one registration consultation",
    ),
    "price_book_versions(version)": ("price_book_version", "each price-book version is published once"),
    "memberships(organisation_id,person_id)": (
        "already_member",
        "one open membership (invited or active) per organisation and person",
    ),
    "memberships(organisation_id,email)": (
        "already_invited",
        "one open invitation per organisation and email address",
    ),
    "enrolments(person_id,course_code)": ("already_enrolled", "one enrolment per person and course"),
    "seat_assignments(organisation_id,person_id)": (
        "seat_already_assigned",
        "one online L1-2 account seat per person and organisation",
    ),
    "lead_professional_applications(person_id)": (
        "one_application",
        "a person has one open Lead Professional application or place",
    ),
    "lead_professional_overrides(application_id,rule)": (
        "year_override_once",
        "a year of the Lead Professional route is overridden once",
    ),
    "package_account_grants(package_id,person_id)": (
        "package_account_assigned",
        "a package's account is assigned to a person once",
    ),
    "pathway_items(person_id,item)": (
        "not_charged_twice",
        "a pathway item is booked once per person (never charged twice)",
    ),
    "learning_accounts(package_id,slot)": (
        "package_account",
        "a package has a fixed number of online L1-2 accounts",
    ),
    "practitioner_licences(person_id)": (
        "one_licence",
        "a person holds one practitioner licence (applied, active or paused) at a time",
    ),
}
