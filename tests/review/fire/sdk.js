const zenduty = require("zenduty");

const events = new zenduty.EventsApi.EventsApi(new zenduty.ApiClient(process.env.ZENDUTY_TOKEN));
events.createEvent(process.env.ZD_KEY, { message: "deploy failed", alert_type: "critical" }); // expect: legacy-sdk
