const axios = require("axios");

const ZENDUTY_URL = "https://events.zenduty.com/api/events/KEY/";

async function notify(message) {
  await axios.post(ZENDUTY_URL, { message });
}

async function ticket(title) {
  const res = await axios.post("https://tickets.example.com/api/tickets", { title });
  return res.data.unique_id;
}
