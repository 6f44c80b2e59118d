# The configuration the Terraform acceptance run (test/terraform/acceptance.test.ts) applies, plans
# again, updates and destroys with WarpStream's official provider against a running Slipstream.
# One resource of every type the provider offers that Slipstream implements; the variables are
# what the update step changes.

terraform {
  required_providers {
    warpstream = {
      source = "warpstreamlabs/warpstream"
    }
  }
}

variable "base_url" { type = string }
# Account key: workspaces, user roles, application keys.
variable "account_key" {
  type      = string
  sensitive = true
}
# Application key of the default workspace: virtual clusters and what lives in them.
variable "application_key" {
  type      = string
  sensitive = true
}
variable "suffix" { type = string }

variable "workspace_name" { type = string }
variable "cluster_name" { type = string }
variable "cluster_tier" { type = string }
variable "cluster_tags" { type = map(string) }
variable "auto_create_topic" { type = bool }
variable "default_num_partitions" { type = number }
variable "partition_count" { type = number }
variable "retention_ms" { type = string }
variable "pipeline_state" { type = string }
variable "pipeline_yaml" { type = string }
variable "role_grant" { type = string }

provider "warpstream" {
  base_url = var.base_url
  token    = var.account_key
}

provider "warpstream" {
  alias    = "app"
  base_url = var.base_url
  token    = var.application_key
}

resource "warpstream_workspace" "team" {
  name = var.workspace_name
}

resource "warpstream_application_key" "team" {
  name         = "akn_tf_team_${var.suffix}"
  workspace_id = warpstream_workspace.team.id
}

resource "warpstream_application_key" "team_read_only" {
  name         = "akn_tf_team_ro_${var.suffix}"
  workspace_id = warpstream_workspace.team.id
  read_only    = true
}

resource "warpstream_user_role" "team" {
  name = "tf-role-${var.suffix}"
  access_grants = [
    {
      workspace_id = warpstream_workspace.team.id
      grant_type   = var.role_grant
    },
  ]
}

resource "warpstream_virtual_cluster" "main" {
  provider = warpstream.app
  name     = var.cluster_name
  tier     = var.cluster_tier
  tags     = var.cluster_tags
  configuration = {
    auto_create_topic      = var.auto_create_topic
    default_num_partitions = var.default_num_partitions
    enable_acls            = true
  }
}

resource "warpstream_agent_key" "main" {
  provider           = warpstream.app
  name               = "akn_tf_agent_${var.suffix}"
  virtual_cluster_id = warpstream_virtual_cluster.main.id
}

resource "warpstream_topic" "orders" {
  provider           = warpstream.app
  virtual_cluster_id = warpstream_virtual_cluster.main.id
  topic_name         = "orders"
  partition_count    = var.partition_count

  config {
    name  = "retention.ms"
    value = var.retention_ms
  }
  config {
    name  = "cleanup.policy"
    value = "delete"
  }
}

resource "warpstream_virtual_cluster_credentials" "app" {
  provider           = warpstream.app
  name               = "ccn_tf_app"
  virtual_cluster_id = warpstream_virtual_cluster.main.id
}

resource "warpstream_acl" "app_reads_orders" {
  provider           = warpstream.app
  virtual_cluster_id = warpstream_virtual_cluster.main.id
  host               = "*"
  principal          = "User:${warpstream_virtual_cluster_credentials.app.username}"
  operation          = "READ"
  permission_type    = "ALLOW"
  resource_type      = "TOPIC"
  resource_name      = warpstream_topic.orders.topic_name
  pattern_type       = "LITERAL"
}

resource "warpstream_acl" "app_group_prefix" {
  provider           = warpstream.app
  virtual_cluster_id = warpstream_virtual_cluster.main.id
  host               = "*"
  principal          = "User:${warpstream_virtual_cluster_credentials.app.username}"
  operation          = "READ"
  permission_type    = "ALLOW"
  resource_type      = "GROUP"
  resource_name      = "orders-"
  pattern_type       = "PREFIXED"
}

resource "warpstream_pipeline" "uppercase" {
  provider           = warpstream.app
  virtual_cluster_id = warpstream_virtual_cluster.main.id
  name               = "uppercase"
  state              = var.pipeline_state
  configuration_yaml = var.pipeline_yaml
}

resource "warpstream_schema_registry" "main" {
  provider = warpstream.app
  name     = "vcn_sr_tf_${var.suffix}"
  tier     = "dev"
}

output "cluster_id" { value = warpstream_virtual_cluster.main.id }
output "workspace_id" { value = warpstream_workspace.team.id }
output "schema_registry_id" { value = warpstream_schema_registry.main.id }
output "credentials_username" { value = warpstream_virtual_cluster_credentials.app.username }
output "credentials_password" {
  value     = warpstream_virtual_cluster_credentials.app.password
  sensitive = true
}
output "user_role_id" { value = warpstream_user_role.team.id }
output "pipeline_id" { value = warpstream_pipeline.uppercase.id }
output "team_application_key" {
  value     = warpstream_application_key.team.key
  sensitive = true
}

# Data sources read back what the resources made.
data "warpstream_account" "current" {}

data "warpstream_workspace" "team" {
  id = warpstream_workspace.team.id
  depends_on = [warpstream_application_key.team, warpstream_application_key.team_read_only]
}

data "warpstream_application_keys" "all" {
  depends_on = [warpstream_application_key.team, warpstream_application_key.team_read_only]
}

data "warpstream_user_role" "team" {
  id = warpstream_user_role.team.id
}

data "warpstream_virtual_cluster" "default" {
  provider = warpstream.app
  default  = true
}

data "warpstream_virtual_cluster" "main" {
  provider = warpstream.app
  id       = warpstream_virtual_cluster.main.id
  depends_on = [warpstream_virtual_cluster.main]
}

data "warpstream_virtual_clusters" "all" {
  provider   = warpstream.app
  depends_on = [warpstream_virtual_cluster.main, warpstream_schema_registry.main]
}

data "warpstream_agent_keys" "all" {
  provider   = warpstream.app
  depends_on = [warpstream_agent_key.main]
}

data "warpstream_schema_registry" "main" {
  provider = warpstream.app
  name     = warpstream_schema_registry.main.name
}

output "default_cluster_id" { value = data.warpstream_virtual_cluster.default.id }
output "main_cluster_name" { value = data.warpstream_virtual_cluster.main.name }
output "cluster_names" { value = sort([for c in data.warpstream_virtual_clusters.all.virtual_clusters : c.name]) }
output "workspace_key_names" { value = sort([for k in data.warpstream_workspace.team.application_keys : k.name]) }
output "application_key_names" { value = sort([for k in data.warpstream_application_keys.all.application_keys : k.name]) }
output "agent_key_names" { value = sort([for k in data.warpstream_agent_keys.all.agent_keys : k.name]) }
output "user_role_name" { value = data.warpstream_user_role.team.name }
output "schema_registry_lookup_id" { value = data.warpstream_schema_registry.main.id }
