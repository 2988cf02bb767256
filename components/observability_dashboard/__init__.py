"""ObservabilityDashboard: the environment's Railway dashboard of the seed's metrics."""
