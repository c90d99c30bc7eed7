"""The business rule behind each unique constraint, for the 409 a request gets when another
request wrote the same thing first (two staff creating one hub name at once, one application
decided twice). `"table(columns)": (code, rule)`; read by imatter_shared.web.errors."""

CONFLICT_RULES = {
    "hubs(name)": ("unique_name", "hub names are unique"),
    "fund_rounds(quarter)": ("one_round_per_quarter", "the fund has one round a quarter"),
    "fund_reviews(application_id,round_id,reviewer_user_id)": (
        "one_review_per_reviewer",
        "a reviewer reviews an application once a round",
    ),
    "fund_awards(application_id)": ("one_award_per_application", "an application is awarded once"),
    "cases(microproject_id,code)": ("unique_code", "another case of this microproject has that code"),
    "microprojects(package_id)": ("one_microproject_per_package", "a package has one microproject"),
}
