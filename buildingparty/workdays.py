"""Working days in mainland China: official holidays and make-up workdays (调休) from chinese-calendar,
weekends where its data ends."""

import datetime

import chinese_calendar


def is_workday(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the library has no data for yet: weekdays only
        return day.weekday() < 5


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """The moment ``days`` working days after ``start``: the same time of day on the ``days``-th working day
    after it (a request made on a holiday starts counting from the next working day)."""
    day, counted = start.date(), 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            counted += 1
    return start.replace(year=day.year, month=day.month, day=day.day)
