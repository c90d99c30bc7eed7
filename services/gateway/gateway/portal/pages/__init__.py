"""Portal page families, one module each (they add their routes to views.bp when imported)."""
