"""RailwayProject: the stack's Railway project and environment, spend cap and deploy token."""

from components.railway_project.component import RailwayProject, RailwayProjectArgs

__all__ = ["RailwayProject", "RailwayProjectArgs"]
