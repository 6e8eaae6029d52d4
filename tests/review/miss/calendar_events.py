# On-call handovers: the calendar invite; paging itself lives in zenduty_pager.py.
from googleapiclient.discovery import build


def handover(creds, body):
    service = build("calendar", "v3", credentials=creds)
    service.events().insert(calendarId="primary", body=body).execute()
    cal = CalendarClient(creds)
    return cal.create_event(body)
