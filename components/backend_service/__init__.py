"""BackendService: the Node.js/Express API on Railway, the contract its policies read and its cost."""

from components.backend_service.component import BackendService, BackendServiceArgs

__all__ = ["BackendService", "BackendServiceArgs"]
