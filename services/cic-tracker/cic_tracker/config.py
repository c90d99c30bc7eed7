from imatter_shared.config import BaseConfig, env, sqlite_url


class Config(BaseConfig):
    SERVICE_NAME = "cic-tracker"

    def __init__(self):
        super().__init__()
        self.SQLALCHEMY_DATABASE_URI = env("CIC_DATABASE_URL") or env("DATABASE_URL") or sqlite_url("cic_tracker")
        self.EVENTS_QUEUE = env("EVENTS_QUEUE", "cic-tracker.events")
