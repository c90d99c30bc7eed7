from imatter_shared.config import BaseConfig, env, env_flag, sqlite_url, var_path


class Config(BaseConfig):
    SERVICE_NAME = "training"

    def __init__(self):
        super().__init__()
        self.SQLALCHEMY_DATABASE_URI = (
            env("TRAINING_DATABASE_URL") or env("DATABASE_URL") or sqlite_url("training")
        )
        self.EVENTS_QUEUE = env("EVENTS_QUEUE", "training.events")
        # shared with the online learning platform, which signs course completions (unset: 503)
        self.LEARNING_PLATFORM_SECRET = env("LEARNING_PLATFORM_SECRET") or None
        # the card provider's webhook signing secret (unset: the webhook answers 503)
        self.PAYMENT_WEBHOOK_SECRET = env("PAYMENT_WEBHOOK_SECRET") or None
        # who issues the invoices, as printed on them; VAT: INVOICE_VAT_NUMBER empty = not registered
        # (no VAT charged); set = registered, prices include VAT at INVOICE_VAT_RATE percent
        self.INVOICE_ISSUER_NAME = env("INVOICE_ISSUER_NAME", "I Matter Training")
        self.INVOICE_ISSUER_ADDRESS = env("INVOICE_ISSUER_ADDRESS", "")
        self.INVOICE_VAT_NUMBER = env("INVOICE_VAT_NUMBER", "")
        self.INVOICE_VAT_RATE = env("INVOICE_VAT_RATE", "20")
        # the key I Matter Training signs its Open Badges credentials with (RSA), a deployment secret
        # every web replica reads (deploy/make-secrets.sh; decision 0052). Made on first use only
        # where CREDENTIALS_KEY_GENERATE is on: by default only for the development key under
        # IMATTER_VAR_DIR (no CREDENTIALS_KEY_FILE, as `make run`); the images turn it off, and a
        # key file named but missing stops the service at start. Keep it: a new key leaves earlier
        # credentials verifiable only through the retired keys' public halves (comma separated).
        # CREDENTIALS_BASE_URL: the public URL the credentials name (decision 0050)
        self.CREDENTIALS_KEY_FILE = env("CREDENTIALS_KEY_FILE") or var_path("keys", "credentials_issuer.pem")
        self.CREDENTIALS_KEY_GENERATE = env_flag(
            "CREDENTIALS_KEY_GENERATE", env("CREDENTIALS_KEY_FILE") is None
        )
        self.CREDENTIALS_RETIRED_KEY_FILES = env("CREDENTIALS_RETIRED_KEY_FILES", "")
        self.CREDENTIALS_BASE_URL = env("CREDENTIALS_BASE_URL") or None  # unset: PORTAL_URL
