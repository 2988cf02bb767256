"""ObservabilityDashboard: the environment's Railway dashboard of the seed's metrics."""

from components.observability_dashboard.component import ObservabilityDashboard, ObservabilityDashboardArgs

__all__ = ["ObservabilityDashboard", "ObservabilityDashboardArgs"]
