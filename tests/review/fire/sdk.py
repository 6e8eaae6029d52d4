import os

import zenduty
from zenduty.apiV2.events import EventClient

api = zenduty.EventsApi(zenduty.ApiClient(os.environ["ZENDUTY_TOKEN"]))
api.create_event(os.environ["ZD_KEY"], {"message": "disk full", "summary": "disk"})  # expect: legacy-sdk

zenduty.EventsApi(zenduty.ApiClient("t")).create_event("k", {"message": "m"})  # expect: legacy-sdk


def v2(client, key):
    events = EventClient(client)
    return events.create_event(  # expect: legacy-sdk
        summary="s", message="m", alert_type="critical", integration_key=key
    )
