"""Home-page panels (see buildingparty/dashboard.py)."""
