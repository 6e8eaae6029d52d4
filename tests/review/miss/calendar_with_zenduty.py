import zenduty

from calendars import CalendarClient


def handover(creds, body):
    cal = CalendarClient(creds)
    # zenduty.EventsApi(client).create_event(key, body) was the old way to page.
    return cal.create_event(body)
