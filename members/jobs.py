"""Scheduled jobs (see buildingparty/jobs.py); imported by the AppConfig so they register."""
