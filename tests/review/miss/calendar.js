// Paging goes through ./zenduty.js; this file only books the handover meeting.
const ical = require("ical-generator");

const cal = ical({ name: "on-call" });
cal.createEvent({ start: new Date(), summary: "handover" });
