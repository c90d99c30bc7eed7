"""Pure business rules: plain functions over plain data. No Flask, no database."""
