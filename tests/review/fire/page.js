const axios = require("axios");

const ZENDUTY_URL = `https://www.zenduty.com/api/events/${process.env.ZD_KEY}/`;

async function page(summary) {
  const res = await axios.post(ZENDUTY_URL, { message: summary, alert_type: "critical" });
  console.log(`alert ${res.data.unique_id} created`); // expect: legacy-response
  return res.status === 201; // expect: legacy-response
}

async function pageFetch(summary) {
  const r = await fetch("https://events.zenduty.com/api/events/abc123/", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ message: summary }),
  });
  const { unique_id } = await r.json(); // expect: legacy-response
  return unique_id;
}

module.exports = { page, pageFetch };
