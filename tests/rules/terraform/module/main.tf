terraform {
  required_providers {
    zenduty = {
      source  = "Zenduty/zenduty"
      version = ">= 1.0"
    }
  }
}

variable "alertmanager_application" {
  type        = string
  description = "Application id of the Alertmanager integration"
}

resource "zenduty_teams" "sre" {
  name = "SRE"
}

resource "zenduty_services" "checkout" {
  name              = "checkout"
  team_id           = zenduty_teams.sre.id
  escalation_policy = zenduty_esp.default.id
}

# The legacy API Integration the checkout service posts to.
resource "zenduty_integrations" "legacy_api" {
  team_id     = zenduty_teams.sre.id
  service_id  = zenduty_services.checkout.id
  application = "27c9800c-2856-490d-8119-790be1308dd4" # API Integration
  name        = "checkout-api"
  summary     = "Events from the checkout service"
}

# Already a Generic Integration: nothing here may change.
resource "zenduty_integrations" "generic" {
  team_id     = zenduty_teams.sre.id
  service_id  = zenduty_services.checkout.id
  application = "3f1b6c2e-8d4a-4f7b-9e2c-5a6d7e8f9a0b"
  name        = "checkout-generic"
  summary     = "Already migrated"
}

# Only its integration_key, used in a legacy URL below, says it is an API Integration.
resource "zenduty_integrations" "alertmanager" {
  team_id     = zenduty_teams.sre.id
  service_id  = zenduty_services.checkout.id
  application = var.alertmanager_application
  name        = "alertmanager"
  summary     = "Prometheus Alertmanager"
}

locals {
  alertmanager_webhook = "https://www.zenduty.com/api/events/${zenduty_integrations.alertmanager.integration_key}/"
}

resource "zenduty_alertrules" "sev1" {
  team_id        = zenduty_teams.sre.id
  service_id     = zenduty_services.checkout.id
  integration_id = zenduty_integrations.legacy_api.unique_id
  description    = "Page on severity 1"
  position       = 1
  stop           = false
  rule_json      = "{\"type\":\"group\",\"id\":\"9a8bb8a9-0123-4456-b89a-b18c2e3d4f50\",\"children1\":{\"aa11b8a9-89ab-4cde-b012-3183c2e3d4f5\":{\"type\":\"rule\",\"id\":\"aa11b8a9-89ab-4cde-b012-3183c2e3d4f5\",\"properties\":{\"field\":\"alert.payload\",\"operator\":\"payloadsearch\",\"value\":[\"$.severity\",\"^(1|critical)$\"],\"valueSrc\":[\"value\",\"value\"],\"operatorOptions\":{\"ploperator\":\"regex_equal\"},\"valueType\":[\"text\",\"text\"]},\"path\":[\"9a8bb8a9-0123-4456-b89a-b18c2e3d4f50\",\"aa11b8a9-89ab-4cde-b012-3183c2e3d4f5\"]},\"bb22b8a9-89ab-4cde-b012-3183c2e3d4f5\":{\"type\":\"rule\",\"properties\":{\"field\":\"alert.message\",\"operator\":\"like\",\"value\":[\"$.severity\"],\"valueSrc\":[\"value\"],\"valueType\":[\"text\"]},\"path\":[\"9a8bb8a9-0123-4456-b89a-b18c2e3d4f50\",\"bb22b8a9-89ab-4cde-b012-3183c2e3d4f5\"]},\"cc33b8a9-89ab-4cde-b012-3183c2e3d4f5\":{\"type\":\"rule\",\"properties\":{\"field\":\"alert.payload\",\"operator\":\"payloadsearch\",\"value\":[\"$['service name']\",\"^checkout-$${env}$\"],\"operatorOptions\":{\"ploperator\":\"regex_equal\"}}}},\"properties\":{\"conjunction\":\"AND\",\"not\":false},\"path\":[\"9a8bb8a9-0123-4456-b89a-b18c2e3d4f50\"]}"

  actions {
    action_type = 5
    key         = "summary"
    value       = "Severity {{$.severity}} on {{ payload.host }}"
  }

  actions {
    action_type = 2
    value       = "critical"
  }
}

resource "zenduty_alertrules" "generic_rule" {
  team_id        = zenduty_teams.sre.id
  service_id     = zenduty_services.checkout.id
  integration_id = zenduty_integrations.generic.unique_id
  description    = "Already rebased"
  rule_json      = "{\"type\":\"group\",\"children1\":{\"a\":{\"type\":\"rule\",\"properties\":{\"field\":\"alert.payload\",\"operator\":\"payloadsearch\",\"value\":[\"$.payload.severity\",\"1\"]}}},\"properties\":{\"conjunction\":\"AND\"}}"
}
