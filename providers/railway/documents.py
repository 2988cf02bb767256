"""Every GraphQL document the Railway providers can send, in one place (imported with the kinds: no HTTP here).

Each document is checked against Railway's official SDL (`shared/specs/railway-public-api.graphql`)
by `tests/railway/test_contract.py`, and so are the variables the client builds for it. Nothing
here has been run against the real API: this machine cannot reach Railway, so the schema is the
contract. Selections stay small on purpose: a field that is not read is a field that cannot break.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Operation:
    """A named GraphQL document. `mutation` says whether it changes anything on Railway."""

    name: str
    document: str

    @property
    def mutation(self) -> bool:
        return self.document.lstrip().startswith("mutation")


def _op(document: str) -> Operation:
    header = document.strip().split("(", 1)[0].split("{", 1)[0].split()
    return Operation(name=header[1], document=document.strip())


# Projects and environments -------------------------------------------------------------------

PROJECT = _op("""
query RailwayProject($id: String!) {
  project(id: $id) {
    id
    name
    description
    workspaceId
    deletedAt
  }
}
""")

PROJECTS_IN_WORKSPACE = _op("""
query RailwayProjectsInWorkspace($workspaceId: String) {
  projects(workspaceId: $workspaceId, first: 100) {
    edges { node { id name description workspaceId deletedAt } }
  }
}
""")

PROJECT_CREATE = _op("""
mutation RailwayProjectCreate($input: ProjectCreateInput!) {
  projectCreate(input: $input) {
    id
    name
    description
    workspaceId
  }
}
""")

PROJECT_UPDATE = _op("""
mutation RailwayProjectUpdate($id: String!, $input: ProjectUpdateInput!) {
  projectUpdate(id: $id, input: $input) {
    id
    name
    description
    workspaceId
  }
}
""")

PROJECT_DELETE = _op("""
mutation RailwayProjectDelete($id: String!) {
  projectDelete(id: $id)
}
""")

ENVIRONMENTS = _op("""
query RailwayEnvironments($projectId: String!) {
  project(id: $projectId) {
    id
    environments(first: 100) {
      edges { node { id name projectId deletedAt } }
    }
  }
}
""")

ENVIRONMENT_CREATE = _op("""
mutation RailwayEnvironmentCreate($input: EnvironmentCreateInput!) {
  environmentCreate(input: $input) {
    id
    name
    projectId
  }
}
""")

ENVIRONMENT_RENAME = _op("""
mutation RailwayEnvironmentRename($id: String!, $input: EnvironmentRenameInput!) {
  environmentRename(id: $id, input: $input) {
    id
    name
    projectId
  }
}
""")

ENVIRONMENT_DELETE = _op("""
mutation RailwayEnvironmentDelete($id: String!) {
  environmentDelete(id: $id)
}
""")

# Services and their per-environment instances ----------------------------------------------

SERVICES = _op("""
query RailwayServices($projectId: String!) {
  project(id: $projectId) {
    id
    services(first: 100) {
      edges { node { id name deletedAt } }
    }
  }
}
""")

SERVICE_INSTANCES = _op("""
query RailwayServiceInstances($environmentId: String!) {
  environment(id: $environmentId) {
    id
    serviceInstances(first: 100) {
      edges {
        node {
          serviceId
          serviceName
          environmentId
          deletedAt
          healthcheckPath
          healthcheckTimeout
          restartPolicyType
          restartPolicyMaxRetries
          startCommand
          source { image }
          latestDeployment { id meta }
        }
      }
    }
  }
}
""")

SERVICE_CREATE = _op("""
mutation RailwayServiceCreate($input: ServiceCreateInput!) {
  serviceCreate(input: $input) {
    id
    name
    projectId
  }
}
""")

SERVICE_UPDATE = _op("""
mutation RailwayServiceUpdate($id: String!, $input: ServiceUpdateInput!) {
  serviceUpdate(id: $id, input: $input) {
    id
    name
  }
}
""")

SERVICE_INSTANCE_UPDATE = _op("""
mutation RailwayServiceInstanceUpdate(
  $serviceId: String!
  $environmentId: String
  $input: ServiceInstanceUpdateInput!
) {
  serviceInstanceUpdate(serviceId: $serviceId, environmentId: $environmentId, input: $input)
}
""")

SERVICE_DELETE = _op("""
mutation RailwayServiceDelete($id: String!, $environmentId: String) {
  serviceDelete(id: $id, environmentId: $environmentId)
}
""")

SERVICE_LIMITS = _op("""
query RailwayServiceLimits($environmentId: String!, $serviceId: String!) {
  serviceInstanceLimitOverride(environmentId: $environmentId, serviceId: $serviceId)
}
""")

SERVICE_LIMITS_UPDATE = _op("""
mutation RailwayServiceLimitsUpdate($input: ServiceInstanceLimitsUpdateInput!) {
  serviceInstanceLimitsUpdate(input: $input)
}
""")

SERVICE_DEPLOY = _op("""
mutation RailwayServiceDeploy($environmentId: String!, $serviceId: String!) {
  serviceInstanceDeployV2(environmentId: $environmentId, serviceId: $serviceId)
}
""")

DEPLOYMENT = _op("""
query RailwayDeployment($id: String!) {
  deployment(id: $id) {
    id
    status
    serviceId
    environmentId
  }
}
""")

DEPLOYMENT_LOGS = _op("""
query RailwayDeploymentLogs($deploymentId: String!, $limit: Int) {
  deploymentLogs(deploymentId: $deploymentId, limit: $limit) {
    timestamp
    severity
    message
  }
}
""")

# Variables --------------------------------------------------------------------------------

VARIABLES = _op("""
query RailwayVariables($projectId: String!, $environmentId: String!, $serviceId: String) {
  variables(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId, unrendered: true)
}
""")

VARIABLES_UPSERT = _op("""
mutation RailwayVariablesUpsert($input: VariableCollectionUpsertInput!) {
  variableCollectionUpsert(input: $input)
}
""")

VARIABLE_DELETE = _op("""
mutation RailwayVariableDelete($input: VariableDeleteInput!) {
  variableDelete(input: $input)
}
""")

# Volumes ----------------------------------------------------------------------------------

VOLUME_INSTANCES = _op("""
query RailwayVolumeInstances($environmentId: String!) {
  environment(id: $environmentId) {
    id
    volumeInstances(first: 100) {
      edges {
        node {
          id
          volumeId
          serviceId
          environmentId
          deletedAt
          mountPath
          sizeMB
          region
          state
        }
      }
    }
  }
}
""")

VOLUME_CREATE = _op("""
mutation RailwayVolumeCreate($input: VolumeCreateInput!) {
  volumeCreate(input: $input) {
    id
    name
  }
}
""")

VOLUME_INSTANCE_UPDATE = _op("""
mutation RailwayVolumeInstanceUpdate(
  $volumeId: String!
  $environmentId: String
  $input: VolumeInstanceUpdateInput!
) {
  volumeInstanceUpdate(volumeId: $volumeId, environmentId: $environmentId, input: $input)
}
""")

VOLUME_DELETE = _op("""
mutation RailwayVolumeDelete($volumeId: String!) {
  volumeDelete(volumeId: $volumeId)
}
""")

# Domains ----------------------------------------------------------------------------------

DOMAINS = _op("""
query RailwayDomains($projectId: String!, $environmentId: String!, $serviceId: String!) {
  domains(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId) {
    serviceDomains {
      id
      domain
      targetPort
    }
    customDomains {
      id
      domain
      targetPort
      status {
        verified
        certificateStatus
        dnsRecords {
          recordType
          hostlabel
          zone
          fqdn
          requiredValue
          purpose
          status
        }
      }
    }
  }
}
""")

SERVICE_DOMAIN_CREATE = _op("""
mutation RailwayServiceDomainCreate($input: ServiceDomainCreateInput!) {
  serviceDomainCreate(input: $input) {
    id
    domain
    targetPort
  }
}
""")

SERVICE_DOMAIN_UPDATE = _op("""
mutation RailwayServiceDomainUpdate($input: ServiceDomainUpdateInput!) {
  serviceDomainUpdate(input: $input)
}
""")

SERVICE_DOMAIN_DELETE = _op("""
mutation RailwayServiceDomainDelete($id: String!) {
  serviceDomainDelete(id: $id)
}
""")

CUSTOM_DOMAIN_CREATE = _op("""
mutation RailwayCustomDomainCreate($input: CustomDomainCreateInput!) {
  customDomainCreate(input: $input) {
    id
    domain
    targetPort
    status {
      verified
      certificateStatus
      dnsRecords {
        recordType
        hostlabel
        zone
        fqdn
        requiredValue
        purpose
        status
      }
    }
  }
}
""")

CUSTOM_DOMAIN_UPDATE = _op("""
mutation RailwayCustomDomainUpdate($id: String!, $environmentId: String!, $targetPort: Int) {
  customDomainUpdate(id: $id, environmentId: $environmentId, targetPort: $targetPort)
}
""")

CUSTOM_DOMAIN_DELETE = _op("""
mutation RailwayCustomDomainDelete($id: String!) {
  customDomainDelete(id: $id)
}
""")

# Spend cap --------------------------------------------------------------------------------

USAGE_LIMIT = _op("""
query RailwayUsageLimit($projectId: String!) {
  project(id: $projectId) {
    id
    workspace {
      id
      customer {
        id
        usageLimit {
          id
          customerId
          softLimit
          hardLimit
        }
      }
    }
  }
}
""")

USAGE_LIMIT_SET = _op("""
mutation RailwayUsageLimitSet($input: UsageLimitSetInput!) {
  usageLimitSet(input: $input)
}
""")

USAGE_LIMIT_REMOVE = _op("""
mutation RailwayUsageLimitRemove($input: UsageLimitRemoveInput!) {
  usageLimitRemove(input: $input)
}
""")

# Project tokens (the deploy job's RAILWAY_TOKEN) ---------------------------------------------

PROJECT_TOKENS = _op("""
query RailwayProjectTokens($projectId: String!) {
  projectTokens(projectId: $projectId, first: 100) {
    edges { node { id name environmentId projectId } }
  }
}
""")

PROJECT_TOKEN_CREATE = _op("""
mutation RailwayProjectTokenCreate($input: ProjectTokenCreateInput!) {
  projectTokenCreate(input: $input)
}
""")

PROJECT_TOKEN_DELETE = _op("""
mutation RailwayProjectTokenDelete($id: String!) {
  projectTokenDelete(id: $id)
}
""")

# Observability dashboards (one per environment) -----------------------------------------------

OBSERVABILITY_DASHBOARDS = _op("""
query RailwayObservabilityDashboards($environmentId: String!) {
  observabilityDashboards(environmentId: $environmentId, first: 10) {
    edges {
      node {
        id
        items {
          id
          displayConfig
          dashboardItem { id name description type config { httpMetric measurements resourceIds } }
        }
      }
    }
  }
}
""")

OBSERVABILITY_DASHBOARD_CREATE = _op("""
mutation RailwayObservabilityDashboardCreate($input: ObservabilityDashboardCreateInput!) {
  observabilityDashboardCreate(input: $input)
}
""")

OBSERVABILITY_DASHBOARD_UPDATE = _op("""
mutation RailwayObservabilityDashboardUpdate($id: String!, $input: [ObservabilityDashboardUpdateInput!]!) {
  observabilityDashboardUpdate(id: $id, input: $input)
}
""")

OBSERVABILITY_DASHBOARD_RESET = _op("""
mutation RailwayObservabilityDashboardReset($id: String!) {
  observabilityDashboardReset(id: $id)
}
""")

ALL: Final[tuple[Operation, ...]] = tuple(value for value in list(globals().values()) if isinstance(value, Operation))
BY_NAME: Final[dict[str, Operation]] = {operation.name: operation for operation in ALL}
