"""Views of the duty rosters: the teams and their people (``teams``), the weekly rosters, filling a week, the
printout and a person's own shifts (``roster``), shifts, assignments and logs (``shifts``), swaps (``swaps``),
mediation cases (``cases``) and the duty register's download (``register``)."""
