"""Demo data (see buildingparty/demo.py); imported by members/demo.py so its steps register."""
