# More rules, in the other two forms rule_json is written in.

resource "zenduty_alertrules" "pods" {
  team_id        = zenduty_teams.sre.id
  service_id     = zenduty_services.checkout.id
  integration_id = zenduty_integrations.legacy_api.id
  description    = "Crash-looping pods"
  position       = 2
  rule_json      = <<-EOT
    {
      "type": "group",
      "id": "c0ffee00-0000-4000-8000-000000000001",
      "children1": {
        "r1": {
          "type": "rule",
          "properties": {
            "field": "alert.payload",
            "operator": "payloadsearch",
            "value": [ "$.alerts[].labels.pod", "kubewatch.*" ],
            "operatorOptions": { "ploperator": "regex_equal" }
          },
          "path": ["c0ffee00-0000-4000-8000-000000000001", "r1"]
        },
        "g2": {
          "type": "group",
          "properties": { "conjunction": "OR", "not": true },
          "children1": {
            "r3": { "type": "rule", "properties": { "field": "alert.payload", "operator": "payloadsearch", "value": ["$..host", "db-.*"] } },
            "r4": { "type": "rule", "properties": { "field": "alert.alert_type", "operator": "select_equals", "value": ["critical"] } }
          }
        }
      },
      "properties": { "conjunction": "AND", "not": false }
    }
  EOT
}

resource "zenduty_alertrules" "whole_payload" {
  team_id        = zenduty_teams.sre.id
  service_id     = zenduty_services.checkout.id
  integration_id = zenduty_integrations.legacy_api.unique_id
  description    = "Anything mentioning OOMKilled"
  rule_json = jsonencode({
    type = "group"
    children1 = {
      "f00d" = {
        type = "rule"
        properties = {
          field           = "alert.payload"
          operator        = "payloadsearch"
          value           = ["$", "OOMKilled"]
          operatorOptions = { ploperator = "regex_equal" }
        }
      }
      "f00e" = {
        type = "rule"
        properties = {
          field    = "alert.payload"
          operator = "payloadsearch"
          value    = ["$[0]", "x"]
        }
      }
      "f00f" = {
        type = "rule"
        properties = {
          field    = "alert.payload"
          operator = "payloadsearch"
          value    = ["$.payload.kind", "legacy-key-named-payload"]
        }
      }
    }
    properties = { conjunction = "AND", not = false }
  })
}

resource "zenduty_alertrules" "am_firing" {
  team_id        = zenduty_teams.sre.id
  service_id     = zenduty_services.checkout.id
  integration_id = zenduty_integrations.alertmanager.unique_id
  description    = "Firing alerts"
  rule_json      = <<EOT
{"type":"group","children1":{"x":{"type":"rule","properties":{"field":"alert.payload","operator":"payloadsearch","value":["$.status","firing"]}}}}
EOT
}

resource "zenduty_alertrules" "elsewhere" {
  team_id        = zenduty_teams.sre.id
  service_id     = zenduty_services.checkout.id
  integration_id = var.shared_integration_id
  description    = "Bound to an integration managed in another repository"
  rule_json      = "{\"type\":\"group\",\"children1\":{\"x\":{\"type\":\"rule\",\"properties\":{\"field\":\"alert.payload\",\"operator\":\"payloadsearch\",\"value\":[\"$.region\",\"eu\"]}}}}"
}

resource "zenduty_alertrules" "odd" {
  team_id        = zenduty_teams.sre.id
  service_id     = zenduty_services.checkout.id
  integration_id = zenduty_integrations.legacy_api.unique_id
  description    = "Conditions the tool cannot prove"
  rule_json      = "{\"type\":\"group\",\"children1\":{\"x\":{\"type\":\"rule\",\"properties\":{\"field\":\"alert.payload\",\"operator\":\"payloadexists\",\"value\":[\"$.region\"]}},\"y\":{\"type\":\"rule\",\"properties\":{\"field\":\"alert.payload\",\"operator\":\"payloadsearch\",\"value\":[\"region\",\"eu\"]}}}}"
}

resource "zenduty_alertrules" "broken" {
  team_id        = zenduty_teams.sre.id
  service_id     = zenduty_services.checkout.id
  integration_id = zenduty_integrations.legacy_api.unique_id
  description    = "Hand-edited and broken"
  rule_json      = "{\"type\":\"group\",\"children1\":{\"x\":{\"type\":\"rule\",\"properties\":{\"field\":\"alert.payload\",\"value\":[\"$.a\",]}}}}"
}
