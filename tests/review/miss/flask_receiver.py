from flask import Flask, request

app = Flask(__name__)


@app.post("/webhooks/zenduty")
def zenduty_webhook():
    payload = request.get_json()
    return {"seen": payload["unique_id"]}
