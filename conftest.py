"""Settings for every test process and every service a test starts (they inherit the environment).

Password hashing: argon2id at its standard cost takes ~0.2 s of CPU per hash or check, and the suite
signs people up and in thousands of times, so tests use the gateway's "fast-for-tests" profile
(gateway/passwords.py). test_gateway_password_profiles.py checks the standard profile itself.
"""

import os

os.environ.setdefault("PASSWORD_HASH_PROFILE", "fast-for-tests")
os.environ.setdefault("IMATTER_TEST_SUITE", "1")  # the weak profile is refused without it
