"""Sample assessment areas, loaded into the `tracker_areas` table when it is empty.

These are SAMPLE areas, labelled as such: the CIC edits the real list (POST/PATCH
/api/v1/tracker/areas). They are non-clinical reflection themes, never symptoms or diagnoses.
"""

SAMPLE_AREAS: list[tuple[str, str]] = [
    ("feeling_valued", "Feeling valued (sample area)"),
    ("communication", "Communication (sample area)"),
    ("relationships", "Relationships (sample area)"),
    ("confidence", "Confidence (sample area)"),
    ("wellbeing", "Wellbeing (sample area)"),
    ("routines", "Daily routines (sample area)"),
]
