"""Portal page families, one module each; each adds its routes to views.bp when imported."""
