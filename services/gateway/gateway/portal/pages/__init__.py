"""Portal page families added after views.py: each module adds its routes to views.bp."""
