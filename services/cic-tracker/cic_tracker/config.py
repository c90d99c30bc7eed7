from imatter_shared.config import BaseConfig, env, sqlite_url


class Config(BaseConfig):
    SERVICE_NAME = "cic-tracker"

    def __init__(self):
        super().__init__()
        # Time-limited support: a case closes this many days after it opened ...
        self.CASE_SUPPORT_WINDOW_DAYS = int(env("CASE_SUPPORT_WINDOW_DAYS", 180))
        # ... and a closed case's data is kept this long, then erased by `flask tracker retention`.
        self.RETENTION_DAYS = int(env("RETENTION_DAYS", 365))
        # A consultation request lapses (state expired) when not completed within this many days.
        self.CONSULTATION_VALID_DAYS = int(env("CONSULTATION_VALID_DAYS", 90))
        # An award needs received gifts covering it (DOMAIN "Rulings" -> Money: money that buys
        # other things counts only once received): otherwise 409 fund_balance. On by default; "0"
        # turns the check off (the ledger would then show a shortfall): an operator escape hatch.
        self.FUND_AWARDS_REQUIRE_BALANCE = env("FUND_AWARDS_REQUIRE_BALANCE", "1") in ("1", "true", "yes")
        self.SQLALCHEMY_DATABASE_URI = (
            env("CIC_DATABASE_URL") or env("DATABASE_URL") or sqlite_url("cic_tracker")
        )
        self.EVENTS_QUEUE = env("EVENTS_QUEUE", "cic-tracker.events")
