"""The demo data, loaded by `manage.py seed_demo`; it sits above every other app."""
