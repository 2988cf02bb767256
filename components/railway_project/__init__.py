"""RailwayProject: the stack's Railway project and environment, spend cap and deploy token."""
