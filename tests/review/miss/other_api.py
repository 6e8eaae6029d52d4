"""Ticket sync. Alerts go to Zenduty via notify(); tickets go to the ticket tracker.

The legacy Zenduty API answered with the alert, e.g. resp.json()["unique_id"].
"""
import requests

ZENDUTY_URL = "https://events.zenduty.com/api/events/KEY/"
TICKETS = "https://tickets.example.com/api/tickets"


def notify(msg):
    requests.post(ZENDUTY_URL, json={"message": msg, "summary": msg})


def create_ticket(title):
    r = requests.post("https://tickets.example.com/api/tickets", json={"title": title})
    return r.json()["unique_id"]


def create_ticket2(title):
    r = requests.post(TICKETS, json={"title": title})
    return r.json().get("unique_id")
