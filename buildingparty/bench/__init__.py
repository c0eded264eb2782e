"""The instrument behind ``make bench`` (``manage.py bench``): not an app, no models.

It seeds a throwaway PostgreSQL database and measures the main pages, the dues job, the member export and a
short load, each as a ratio against a floor measured side by side in the same run (absolute times are noise on
a shared machine). ``synthetic`` inserts many members fast for the 5k/50k figures; ``exports`` (when present)
measures the member export against raw openpyxl.
"""
