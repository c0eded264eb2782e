"""Reads that several pages share."""

from .models import Heartbeat


def last_heartbeat(name: str = "worker"):
    return Heartbeat.objects.filter(name=name).first()
