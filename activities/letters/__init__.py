"""Outreach letters with merge fields, e.g. the two letters of the building survey, printed one A4 page each."""
