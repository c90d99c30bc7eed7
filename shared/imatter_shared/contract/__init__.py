"""What the services agree on as data: tables both training and cic-tracker read, so that a rule
is written once (see packages.py)."""
