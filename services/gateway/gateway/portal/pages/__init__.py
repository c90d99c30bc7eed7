"""Portal page families, one module each. Each adds its routes to plumbing.bp when imported;
none imports another (what two families share is in plumbing, reads or questionnaires)."""
